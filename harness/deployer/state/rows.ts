/** SQLite rows ↔ the store's types. */
import type { Address } from 'viem';
import type { DeploymentState, Desired, DesiredOrg } from '../desired.js';
import type { LoggedEvent, OrgRow, Status } from './types.js';

export type Row = Record<string, unknown>;

/** An org's key: its address in lower case (EIP-55 hashing per org was a tenth of a catch-up). */
export const orgKey = (address: string) => address.toLowerCase() as Address;

/** uint64 as text that sorts like the number. */
export function padBlock(n: bigint): string {
  return n.toString().padStart(20, '0');
}

/** SQLite's largest INTEGER: a block no chain reaches, so a later one may stand for it. */
const LAST_BLOCK = 2n ** 63n - 1n;

/** A block number as an INTEGER column holds it: one past SQLite's range is stored as its largest. */
export const blockColumn = (n: bigint) => (n > LAST_BLOCK ? LAST_BLOCK : n);

export function orgOf(row: Row): OrgRow {
  return {
    org: row.address as Address,
    expiry: BigInt(row.expiry as string),
    ...(row.stopped_at !== null && { stoppedAt: row.stopped_at as bigint }),
    active: row.active === 1n,
    desired: row.desired as Desired,
    block: row.updated_block as bigint,
    ...(row.changes_at !== null && { changesAt: row.changes_at as bigint }),
    status: row.status as Status,
    ...(row.port !== null && { port: Number(row.port) }),
    ...(row.nid !== null && { nid: row.nid as string }),
    ...(row.container_id !== null && { containerId: row.container_id as string }),
    ...(row.volume !== null && { volume: row.volume as string }),
  };
}

/** The desired-state part of a stored org (what the watcher emits). */
export function desiredOfRow(row: OrgRow): DesiredOrg {
  return {
    org: row.org,
    expiry: row.expiry,
    ...(row.stoppedAt !== undefined && { stoppedAt: row.stoppedAt }),
    active: row.active,
    desired: row.desired,
    block: row.block,
  };
}

/** One log of a `block_logs` row: [log index, org, kind, value, expiry before, stopped-at before]. */
type LogEntry = [number, Address, LoggedEvent['kind'], string, string, string | null];

/** A block's logs as one `block_logs.events` text (uint64s as decimal strings: JSON numbers are doubles). */
export function encodeLogs(events: readonly LoggedEvent[]): string {
  return JSON.stringify(
    events.map((e): LogEntry => [
      e.at.logIndex,
      orgKey(e.org),
      e.kind,
      String(e.kind === 'top-up' ? e.expiry : e.atBlock),
      String(e.before.expiry),
      e.before.stoppedAt === undefined ? null : String(e.before.stoppedAt),
    ]),
  );
}

/** Into `out`, each org of a block's logs not in it yet, with its state before its first log there. */
export function addStatesBefore(out: Map<Address, DeploymentState>, events: string): void {
  const entries = (JSON.parse(events) as LogEntry[]).sort((a, b) => a[0] - b[0]);
  for (const [, org, , , expiry, stoppedAt] of entries) {
    if (out.has(org)) continue;
    out.set(org, { expiry: BigInt(expiry), ...(stoppedAt !== null && { stoppedAt: BigInt(stoppedAt) }) });
  }
}
