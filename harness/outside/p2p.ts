/**
 * The p2p side of SPEC.md §4: the published port accepts connections, and a radicle node there
 * completes a handshake with the published NID. Handshakes go out from the harness's own peers.
 */
import { connect as tcpConnect } from 'node:net';
import type { StartedContainer } from '../docker/container.js';
import { connect, control, proveHandshake, reaches, sessions, type Session } from '../peers/index.js';

/** Whether a TCP connection to `address:port` is accepted within `timeoutMs`. */
export function tcpOpen(address: string, port: number, timeoutMs = 1_500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = tcpConnect({ host: address, port, timeout: timeoutMs });
    const done = (open: boolean) => {
      socket.destroy();
      resolve(open);
    };
    socket.once('connect', () => done(true));
    socket.once('timeout', () => done(false));
    socket.once('error', () => done(false));
  });
}

export interface Handshake {
  ok: boolean;
  session?: Session;
  error?: string;
  /**
   * `performance.now()` when the dial answered (freshHandshake: before the session is ended again,
   * which on a loaded peer takes seconds of its own).
   */
  answeredAt?: number;
}

/** A radicle handshake from `peer` to `nid@host:port` (an existing session counts). */
export async function handshake(
  peer: StartedContainer,
  nid: string,
  host: string,
  port: number,
  timeoutMs = 8_000,
): Promise<Handshake> {
  try {
    return { ok: true, session: await connect(peer, `${nid}@${host}:${port}`, { timeoutMs }) };
  } catch (error) {
    return { ok: false, error: (error as Error).message.split('\n')[0] };
  }
}

/**
 * A handshake that owes nothing to earlier ones, what every judgement dials with: the peer image's
 * stateless prober (proveHandshake), which passes only a node that holds `nid`'s key. radicle's own
 * `connect` answers connected to a node with another NID (and resets ~20 ms later), and the session
 * state it keeps after a failed dial spoils the next one; it is asked only of an image without the
 * prober: `peer` first ends any session it has with `nid`, then dials `nid@host:port` once,
 * non-persistently (radicle keeps no retries of it), and ends the session again.
 */
export async function freshHandshake(
  peer: StartedContainer,
  nid: string,
  host: string,
  port: number,
  timeoutMs = 6_000,
): Promise<Handshake> {
  const addr = `${nid}@${host}:${port}`;
  const proved = await proveHandshake(peer, { nid, address: host, port, timeoutMs }).catch(
    (error: Error) => ({ ok: false, error: error.message }),
  );
  if (proved)
    return proved.ok
      ? { ok: true, answeredAt: performance.now() }
      : { ok: false, error: `${addr}: ${proved.error}`.slice(0, 300) };
  // A port that takes no TCP connection answers no handshake, whatever session radicle still holds
  // from before (a reused session must not pass for a fresh one).
  if (!(await reaches(peer, host, port)))
    return { ok: false, error: `${addr}: no TCP connection to ${host}:${port}` };
  // radicle answers a disconnect only when there is a session to end: ask only then, bounded.
  const bye = async () => {
    const open = await sessions(peer).catch(() => []);
    if (open.some((s) => s.nid === nid)) await control(peer, { command: 'disconnect', nid }, 10_000);
  };
  await bye();
  const r = await control(peer, dialCommand(addr, timeoutMs), timeoutMs + 2_000);
  const answeredAt = performance.now();
  await bye();
  if (r.ok && r.answer && !/disconnected|error/i.test(r.answer)) return { ok: true, answeredAt };
  return { ok: false, error: `${addr}: ${r.answer || 'no answer'}`.slice(0, 300) };
}

/** A non-persistent `connect` of the control socket: radicle answers once the session is up (or failed). */
const dialCommand = (addr: string, timeoutMs: number) => ({
  command: 'connect',
  addr,
  opts: { persistent: false, timeout: { secs: Math.max(1, Math.ceil(timeoutMs / 1000)), nanos: 0 } },
});

/** `peer`'s session with `nid`, if any. */
export async function sessionWith(peer: StartedContainer, nid: string): Promise<Session | undefined> {
  return (await sessions(peer)).find((s) => s.nid === nid);
}

export interface TimedDial {
  ok: boolean;
  /** ms from the dial to the session (measured inside the peer, without the harness's own overhead). */
  ms: number;
  answer: string;
}

/**
 * A non-persistent dial of `nid@host:port` over the node's control socket, timed inside the peer:
 * radicle answers once the session is established (or failed). Non-persistent, so a later
 * `disconnect` really ends it and the next dial measures a fresh handshake.
 */
export async function timedDial(
  peer: StartedContainer,
  address: string,
  timeoutMs: number,
): Promise<TimedDial> {
  const started = performance.now();
  const r = await control(peer, dialCommand(address, timeoutMs), timeoutMs + 2_000);
  const ms = r.elapsedMs ?? performance.now() - started;
  return { ok: r.ok && !/disconnected|error/i.test(r.answer), ms, answer: r.answer };
}

/** Ends the session with `nid` (control socket `disconnect`); ignores a missing session. */
export async function disconnect(peer: StartedContainer, nid: string): Promise<void> {
  await control(peer, { command: 'disconnect', nid });
}
