/**
 * An org's DNS records (SPEC.md §4), published with TSIG-signed RFC 2136 updates the deployer sends
 * itself (rfc2136.ts, to the configured server). What is asked for while an update is in flight goes
 * out together in the next one: a burst of ready orgs costs a few messages, not one per org. The key
 * is used for signing only: never logged, never in an error.
 */
import type { DnsConfig } from './config.js';
import { sendUpdate, type AddRecord, type Change } from './rfc2136.js';

export const TTL = 30;
/** Radicle's DNS-SD service type (heartwood's systemd/dnssd/radicle-node.dnssd). */
export const SERVICE = '_radicle-node._tcp';

export interface OrgRecords {
  /** `<label>` (the org as lowercase hex without 0x). */
  label: string;
  /** The edge's public address. */
  address: string;
  port: number;
  nid: string;
  expiry: bigint;
}

export class DnsError extends Error {
  override name = 'DnsError';
}

export function orgLabel(org: string): string {
  return org.toLowerCase().replace(/^0x/, '');
}

/**
 * SPEC.md §4: the names an org's records live at, and its records (the one place names are built).
 * DNS-SD (RFC 6763) under Radicle's service type; the instance is the org's label. The browse PTR
 * RRset is shared by every org, so it is never replaced, only this org's PTR added or taken out.
 */
export function orgRecordSet(zone: string, label: string) {
  const host = `${label}.${zone}.`;
  const browse = `${SERVICE}.${zone}.`;
  const instance = `${label}.${SERVICE}.${zone}.`;
  /** What oneclick/v1 published: deleted on every publish and remove, so an upgraded provider leaves none. */
  const legacySrv = `_radicle._tcp.${label}.${zone}.`;
  return {
    host,
    browse,
    instance,
    /** Names only this org's records live at. */
    names: [host, instance, legacySrv],
    /** Records replaced RRset by RRset (the browse PTR is added on its own). */
    records: (r: OrgRecords): AddRecord[] => [
      { name: host, type: 'A', ttl: TTL, data: r.address },
      {
        name: instance,
        type: 'SRV',
        ttl: TTL,
        data: { priority: 0, weight: 0, port: r.port, target: host },
      },
      { name: instance, type: 'TXT', ttl: TTL, data: [`nid=${r.nid}`, `expiry=${r.expiry}`] },
    ],
  };
}

/**
 * Replaces the org's records: each of its RRsets deleted, then its records added, and its instance
 * listed in the browse PTR unless `browsePtr` is false (pure).
 */
export function publishChanges(zone: string, r: OrgRecords, browsePtr = true): Change[] {
  const set = orgRecordSet(zone, r.label);
  const records = set.records(r);
  return [
    ...records.map((x): Change => ({ op: 'delete-rrset', name: x.name, type: x.type })),
    { op: 'delete-rrset', name: set.host, type: 'TXT' },
    { op: 'delete-name', name: set.names[2]! },
    ...records.map((x): Change => ({ op: 'add', ...x })),
    ...(browsePtr
      ? [{ op: 'add', name: set.browse, type: 'PTR', ttl: TTL, data: set.instance } as const]
      : []),
  ];
}

/** Deletes every record at the org's names and its browse PTR (pure). */
export function removeChanges(zone: string, label: string): Change[] {
  const set = orgRecordSet(zone, label);
  return [
    ...set.names.map((name): Change => ({ op: 'delete-name', name })),
    { op: 'delete-record', name: set.browse, type: 'PTR', data: set.instance },
  ];
}

/** Changes per message: well under the 64 KiB a DNS message over TCP may hold. */
export const MAX_CHANGES_PER_UPDATE = 400;

export type SendChanges = (changes: readonly Change[]) => Promise<void>;

/**
 * Coalesces: the first request is sent at once; those made while it is in flight are sent together
 * next (up to `max` changes a message, one message at a time). Each request resolves or fails with
 * the message that carried it.
 */
export function coalescing(send: SendChanges, max = MAX_CHANGES_PER_UPDATE) {
  const pending: Array<{ changes: Change[]; done: (error?: unknown) => void }> = [];
  let flushing = false;

  async function flush(): Promise<void> {
    flushing = true;
    while (pending.length > 0) {
      const batch = [pending.shift()!];
      let size = batch[0]!.changes.length;
      while (pending.length > 0 && size + pending[0]!.changes.length <= max) {
        size += pending[0]!.changes.length;
        batch.push(pending.shift()!);
      }
      try {
        await send(batch.flatMap((b) => b.changes));
        for (const b of batch) b.done();
      } catch (error) {
        for (const b of batch) b.done(error);
      }
    }
    flushing = false;
  }

  return (changes: Change[]): Promise<void> =>
    new Promise((resolve, reject) => {
      pending.push({ changes, done: (error) => (error === undefined ? resolve() : reject(error)) });
      if (!flushing) void flush();
    });
}

export function createDns(dns: DnsConfig, send?: SendChanges, { browsePtr = true } = {}) {
  const zone = dns.zone;
  const update = coalescing(
    send ??
      (async (changes) => {
        try {
          await sendUpdate(dns.server, zone, dns.tsig.reveal(), changes);
        } catch (error) {
          const reason = error instanceof Error ? error.message : String(error);
          throw new DnsError(
            `DNS update of ${zone} via ${dns.server.host}:${dns.server.port} failed: ${reason}`,
          );
        }
      }),
  );
  return {
    zone,
    fqdn: (label: string) => `${label}.${zone}`,
    /** Replaces the org's A, SRV and TXT records (all or nothing, with whatever shares the message). */
    publish: (r: OrgRecords) => update(publishChanges(zone, r, browsePtr)),
    /** Deletes every record at the org's names. */
    remove: (label: string) => update(removeChanges(zone, label)),
  };
}

export type Dns = ReturnType<typeof createDns>;

/** What is published, as one comparable string (what a pass compares before sending). */
export function recordsKey(r: OrgRecords): string {
  return `${r.address}|${r.port}|${r.nid}|${r.expiry}`;
}
