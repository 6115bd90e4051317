/**
 * The p2p side of SPEC.md §4: the published port accepts connections, and a radicle node there
 * completes a handshake with the published NID. Handshakes go out from the harness's own peers.
 */
import { connect as tcpConnect } from 'node:net';
import type { StartedContainer } from '../docker/container.js';
import { connect, sessions, type Session } from '../peers/index.js';

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

/** `peer`'s session with `nid`, if any. */
export async function sessionWith(peer: StartedContainer, nid: string): Promise<Session | undefined> {
  return (await sessions(peer)).find((s) => s.nid === nid);
}

export interface TimedDial {
  ok: boolean;
  /** ms from the dial to the session (measured inside the peer, without `docker exec` overhead). */
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
  const secs = Math.ceil(timeoutMs / 1000);
  const cmd = JSON.stringify({
    command: 'connect',
    addr: address,
    opts: { persistent: false, timeout: { secs, nanos: 0 } },
  });
  const r = await peer.exec([
    'bash',
    '-c',
    's=$(date +%s%N); out=$(orgnode-api ctl "$1" 2>&1); rc=$?; e=$(date +%s%N); echo "$s $e $rc"; echo "$out"',
    '_',
    cmd,
  ]);
  const [first = '', ...rest] = r.stdout.split('\n');
  const [s, e, rc] = first.trim().split(' ');
  const answer = rest.join('\n').trim();
  const ms = s && e && /^\d+$/.test(s) && /^\d+$/.test(e) ? Number(BigInt(e) - BigInt(s)) / 1e6 : 0;
  const ok = rc === '0' && !/disconnected|error/i.test(answer);
  return { ok, ms, answer: answer || r.stderr.trim() };
}

/** Ends the session with `nid` (control socket `disconnect`); ignores a missing session. */
export async function disconnect(peer: StartedContainer, nid: string): Promise<void> {
  await peer.exec(['orgnode-api', 'ctl', JSON.stringify({ command: 'disconnect', nid })]);
}
