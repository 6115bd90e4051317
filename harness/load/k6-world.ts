/**
 * `oneclick load --k6 <script>` against a running `oneclick up` world: k6 drives the world API
 * (peer dials, pushes, waits for refs; scenarios/load/k6/peering.js and replication.js) with its own
 * stages, VUs and thresholds. The world's address and token reach k6 in its environment (never on a
 * command line); every Trend the script records is folded into load.json / load.html.
 */
import { mkdir, readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { findWorld } from '../playground/state.js';
import { findK6, k6AbsentMessage, k6Trends, spawnK6 } from './k6.js';
import { REPORT_VERSION, writeReports, type LoadReport, type WrittenReport } from './report.js';

export interface WorldK6Options {
  script: string;
  /** The world's run id (default: the only one up). */
  runId?: string;
  outDir: string;
  command: string;
  onProgress?: (line: string) => void;
  /** Kill k6 after this long. */
  timeoutMs?: number;
}

interface WorldView {
  runId: string;
  provider: { name: string };
  orgs: Array<{ name: string; state: string }>;
  peers: Array<{ name: string; lan?: string; nat?: string }>;
  topology: { lans: Array<{ name: string; nat?: string }> };
}

export async function runWorldK6(o: WorldK6Options): Promise<{ report: LoadReport; files: WrittenReport }> {
  const binary = await findK6();
  if (!binary) throw new Error(k6AbsentMessage());
  const world = await findWorld(o.runId);
  const api = `http://127.0.0.1:${world.port}`;
  const res = await fetch(`${api}/api/world`, { headers: { authorization: `Bearer ${world.token}` } });
  if (!res.ok) throw new Error(`the world ${world.runId} answered ${res.status} to GET /api/world`);
  const view = (await res.json()) as WorldView;
  const served = view.orgs.filter((x) => x.state === 'served').map((x) => x.name);
  if (!served.length)
    throw new Error(`no org of ${world.runId} is served: top one up first (oneclick world top-up)`);
  await mkdir(o.outDir, { recursive: true });
  const summaryFile = join(o.outDir, 'k6-summary.json');
  const started = new Date();
  o.onProgress?.(`k6: ${binary} run ${o.script} against ${world.runId} (orgs ${served.join(', ')})`);
  const { exitCode, lines } = await spawnK6(
    binary,
    ['run', '--quiet', '--no-usage-report', '--summary-export', summaryFile, o.script],
    {
      env: {
        ONECLICK_API: api,
        ONECLICK_TOKEN: world.token,
        ONECLICK_PEERS: view.peers.map((p) => p.name).join(','),
        ONECLICK_ORGS: served.join(','),
      },
      timeoutMs: o.timeoutMs ?? 3_600_000,
      ...(o.onProgress && { onLine: (l: string) => o.onProgress!(`k6: ${l}`) }),
    },
  );
  const text = await readFile(summaryFile, 'utf8').catch(() => {
    throw new Error(`k6 exited ${exitCode} without writing ${summaryFile}:\n${lines.slice(-20).join('\n')}`);
  });
  const trends = k6Trends(JSON.parse(text));
  const ended = new Date();
  const report: LoadReport = {
    version: REPORT_VERSION,
    runId: world.runId,
    seed: 0,
    startedAt: started.toISOString(),
    endedAt: ended.toISOString(),
    durationMs: ended.getTime() - started.getTime(),
    command: o.command,
    options: { k6: o.script, world: world.runId },
    provider: null,
    topology: {
      lans: view.topology.lans.map((l) => ({ name: l.name, nat: l.nat ?? '' })),
      peers: view.peers.map((p) => ({ name: p.name, lan: p.lan ?? 'internet' })),
    },
    orgs: served,
    served,
    metrics: Object.fromEntries(
      Object.entries(trends).map(([name, m]) => [
        `k6_${name}`,
        { ...m, description: `k6 Trend ${name} of ${basename(o.script)} (ms)` },
      ]),
    ),
    ratios: {},
    samples: {},
    thresholds: [],
    // k6 judges its own thresholds: exit 99 when one failed.
    passed: exitCode === 0 && Object.keys(trends).length > 0,
    k6: {
      status: 'ran',
      message: `k6 exited ${exitCode}${exitCode === 99 ? ' (a k6 threshold failed)' : ''}`,
      binary,
      script: o.script,
      summaryFile,
    },
    notes: [`provider ${view.provider.name}; the world's seed is in its oneclick up summary`],
  };
  return { report, files: await writeReports(o.outDir, report) };
}
