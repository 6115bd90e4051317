/**
 * An org's DNS records (SPEC.md §4), published with TSIG-signed RFC 2136 updates. nsupdate runs in
 * a container that reaches the DNS server (the edge); the script, key included, goes over the
 * exec's stdin only: never argv, env or logs, and any output is scrubbed of the secret.
 */
import type { DnsConfig } from './config.js';
import type { ExecResult } from './docker.js';

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

/** Runs a command with stdin in the container that sends the updates. */
export type Exec = (cmd: string[], stdin: string) => Promise<ExecResult>;

export class DnsError extends Error {
  override name = 'DnsError';
}

export function orgLabel(org: string): string {
  return org.toLowerCase().replace(/^0x/, '');
}

export function createDns(dns: DnsConfig) {
  const zone = dns.zone;
  const host = (label: string) => `${label}.${zone}.`;
  // DNS-SD (RFC 6763) under Radicle's service type; the instance is the org's label.
  const browse = `${SERVICE}.${zone}.`;
  const instance = (label: string) => `${label}.${SERVICE}.${zone}.`;
  /** What oneclick/v1 published: deleted on every publish and remove, so an upgraded provider leaves none. */
  const legacySrv = (label: string) => `_radicle._tcp.${label}.${zone}.`;

  function script(lines: readonly string[]): string {
    const tsig = dns.tsig.reveal();
    return [
      `server ${dns.server.host} ${dns.server.port}`,
      `zone ${zone}.`,
      `key ${tsig.algorithm}:${tsig.name} ${tsig.secret}`,
      ...lines,
      'send',
      '',
    ].join('\n');
  }

  async function send(exec: Exec, lines: readonly string[], what: string): Promise<void> {
    const result = await exec(['nsupdate', '-t', '10'], script(lines));
    const secret = dns.tsig.reveal().secret;
    const output = `${result.stdout}\n${result.stderr}`.split(secret).join('[redacted]').trim();
    if (result.exitCode === 0 && !/update failed|error/i.test(output)) return;
    throw new DnsError(
      `DNS update (${what}) failed (exit ${result.exitCode}): ${output.slice(-400) || 'no output'}`,
    );
  }

  /** Replaces the org's A, PTR, SRV and TXT records in one update (all or nothing). */
  function publishLines(r: OrgRecords): string[] {
    return [
      `update delete ${host(r.label)} A`,
      `update add ${host(r.label)} ${TTL} A ${r.address}`,
      `update add ${browse} ${TTL} PTR ${instance(r.label)}`,
      `update delete ${instance(r.label)} SRV`,
      `update add ${instance(r.label)} ${TTL} SRV 0 0 ${r.port} ${host(r.label)}`,
      `update delete ${instance(r.label)} TXT`,
      `update add ${instance(r.label)} ${TTL} TXT "nid=${r.nid}" "expiry=${r.expiry}"`,
      `update delete ${host(r.label)} TXT`,
      `update delete ${legacySrv(r.label)}`,
    ];
  }

  /** Every record of the org; the browse RRset keeps the other orgs' PTRs. */
  function removeLines(label: string): string[] {
    return [
      `update delete ${host(label)}`,
      `update delete ${browse} PTR ${instance(label)}`,
      `update delete ${instance(label)}`,
      `update delete ${legacySrv(label)}`,
    ];
  }

  return {
    zone,
    fqdn: (label: string) => `${label}.${zone}`,
    publish: (exec: Exec, r: OrgRecords) => send(exec, publishLines(r), `publish ${r.label}`),
    /** Deletes every record at the org's names. */
    remove: (exec: Exec, label: string) => send(exec, removeLines(label), `remove ${label}`),
  };
}

export type Dns = ReturnType<typeof createDns>;

/** What is published, as one comparable string (what a pass compares before sending). */
export function recordsKey(r: OrgRecords): string {
  return `${r.address}|${r.port}|${r.nid}|${r.expiry}`;
}
