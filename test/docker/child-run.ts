// Creates labelled resources in a run, prints the run id, then waits to be signalled or killed.
import { createNetwork, createVolume, startRun } from '../../harness/docker/index.js';

const run = startRun('child');
await createNetwork({
  name: `${run.id}-net`,
  subnet: process.argv[2] ?? '10.231.0.0/24',
  labels: run.labels(),
});
await createVolume(`${run.id}-vol`, run.labels());
console.log(run.id);
setInterval(() => undefined, 1_000);
