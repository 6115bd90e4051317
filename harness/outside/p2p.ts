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

/**
 * A handshake that owes nothing to earlier ones, what every judgement dials with: `peer` first ends
 * any session it has with `nid` (a session left by an earlier dial, half-open to a killed node or
 * stuck after failed attempts, would otherwise stand in for or hold up this one), then dials
 * `nid@host:port` once, non-persistently (radicle keeps no retries of it), and ends the session again.
 */
export async function freshHandshake(
  peer: StartedContainer,
  nid: string,
  host: string,
  port: number,
  timeoutMs = 6_000,
): Promise<Handshake> {
  const bye = JSON.stringify({ command: 'disconnect', nid });
  const dial = JSON.stringify({
    command: 'connect',
    addr: `${nid}@${host}:${port}`,
    opts: { persistent: false, timeout: { secs: Math.max(1, Math.ceil(timeoutMs / 1000)), nanos: 0 } },
  });
  const r = await peer.exec([
    'bash',
    '-c',
    // A port that takes no TCP connection answers no handshake, whatever session radicle still
    // holds from before (a reused session must not pass for a fresh one).
    'timeout 3 bash -c ": </dev/tcp/$4/$5" 2>/dev/null || { echo 1; echo "no TCP connection to $4:$5"; exit 0; }; ' +
      // radicle answers a disconnect only when there is a session to end: ask only then, bounded.
      'bye() { orgnode-api ctl \'{"command":"sessions"}\' 2>/dev/null | grep -q "$3" && ' +
      'timeout 10 orgnode-api ctl "$1" >/dev/null 2>&1; }; bye "$@"; ' +
      'out=$(orgnode-api ctl "$2" 2>&1); rc=$?; bye "$@"; echo "$rc"; echo "$out"',
    '_',
    bye,
    dial,
    nid,
    host,
    String(port),
  ]);
  const [rc = '', ...rest] = r.stdout.split('\n');
  const answer = rest.join(' ').trim();
  if (rc.trim() === '0' && answer && !/disconnected|error/i.test(answer)) return { ok: true };
  return {
    ok: false,
    error: `${nid}@${host}:${port}: ${answer || r.stderr.trim() || 'no answer'}`.slice(0, 300),
  };
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
