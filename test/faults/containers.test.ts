import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StartedContainer } from '../../harness/docker/index.js';
import {
  healAll,
  killContainer,
  pauseContainer,
  restartContainer,
  stopContainer,
} from '../../harness/faults/index.js';
import { answers, eventually, leftovers, startLab, type Lab } from './lab.js';

let lab: Lab;
let server: StartedContainer;
let serverIp: string;
const PORT = 7000;

beforeAll(async () => {
  lab = await startLab('fctr');
  // A request/response service: a paused container's kernel still completes TCP handshakes (and
  // answers pings), so only an application answer tells that it is really not answering.
  const host = await lab.host('server', ['socat', `TCP-LISTEN:${PORT},fork,reuseaddr`, 'SYSTEM:echo pong']);
  server = host.container;
  serverIp = host.ip;
  expect(await eventually(() => answers(lab.a, serverIp, PORT))).toBe(true);
});
afterAll(async () => {
  await lab?.run.dispose();
});

const state = async () => (await server.inspect()).State;

describe('container faults', () => {
  it('kill (SIGKILL) takes the service down until heal starts it again', async () => {
    const fault = await killContainer(server);
    expect(fault.signal).toBe('SIGKILL');
    expect((await state()).Running).toBe(false);
    expect(await answers(lab.a, serverIp, PORT, 1)).toBe(false);
    await fault.heal();
    expect(await eventually(() => answers(lab.a, serverIp, PORT))).toBe(true);
  });

  it('pause freezes the service (handshakes still complete, no answer comes) until heal unpauses it', async () => {
    const fault = await pauseContainer(server);
    try {
      expect((await state()).Paused).toBe(true);
      expect((await lab.a.exec(['nc', '-z', '-w', '2', serverIp, String(PORT)])).exitCode).toBe(0);
      expect(await answers(lab.a, serverIp, PORT, 2)).toBe(false);
    } finally {
      await fault.heal();
    }
    expect((await state()).Paused).toBe(false);
    expect(await eventually(() => answers(lab.a, serverIp, PORT))).toBe(true);
  });

  it('stop takes the service down until heal starts it again', async () => {
    const fault = await stopContainer(server, { timeoutSeconds: 2 });
    expect((await state()).Running).toBe(false);
    expect(await answers(lab.a, serverIp, PORT, 1)).toBe(false);
    await fault.heal();
    expect(await eventually(() => answers(lab.a, serverIp, PORT))).toBe(true);
  });

  it('restart brings the service back with a new start time', async () => {
    const before = (await state()).StartedAt;
    await restartContainer(server, { timeoutSeconds: 2 });
    expect((await state()).StartedAt).not.toBe(before);
    expect(await eventually(() => answers(lab.a, serverIp, PORT))).toBe(true);
  });

  it('healAll heals every fault it is given, and healing a healed fault again is a no-op', async () => {
    const killed = await killContainer(server);
    await healAll([killed]);
    const paused = await pauseContainer(server);
    await healAll([paused, killed]);
    expect(paused.healedAt).toBeInstanceOf(Date);
    expect(await eventually(() => answers(lab.a, serverIp, PORT))).toBe(true);
  });

  it('leaves no labelled container or network behind once the run is disposed', async () => {
    await lab.run.dispose();
    expect(await leftovers(lab.run.id)).toBe(0);
  });
});
