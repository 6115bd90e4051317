/** What a running scenario knows besides its world: what it saw, remembered, made and broke. */
import type { Address } from 'viem';
import type { Fault } from '../faults/fault.js';
import type { Host } from '../net/topology.js';
import type { LastSeen } from '../outside/index.js';
import type { Session } from '../peers/index.js';
import type { LocalRepo } from '../peers/index.js';
import type { ScenarioWorld } from './world.js';

/** The last place an org was seen served: where `gone` looks for leftovers. */
export interface Sighting extends LastSeen {
  /** Served there at the last look (false once judged gone): its port is not another org's. */
  live?: boolean;
  /** Every NID its node has answered with so far. */
  nids?: string[];
}

/** `remember` keeps this; `same-node` and `same-identity` compare with it. */
export interface Snapshot {
  nid?: string;
  startedAt?: string;
  restarts?: number;
  /** Repositories (rids) the node served then: its data, which must outlive restarts and renewals. */
  repos: string[];
  /** The sessions opened by `connect` to this org so far: peer name → session then. */
  sessions: Record<string, Session>;
}

export interface CreatedRepo {
  rid: string;
  peer: string;
  local: LocalRepo;
  /** The head its creator pushed last, and the creator's NID (its namespace). */
  head?: string;
  pusherNid: string;
}

export interface ScenarioContext {
  world: ScenarioWorld;
  zone: string;
  dnsServer: string;
  org(name: string): Address;
  peer(name: string): Host;
  seen: Map<string, Sighting>;
  memory: Map<string, Snapshot>;
  repos: Map<string, CreatedRepo>;
  /** Sessions `connect` opened: `${peer} ${org}` → the session then. */
  connections: Map<string, { peer: string; org: string; session: Session }>;
  /** Orgs of the last `burst`. */
  burst: Address[];
  /** Faults in force, healed by `heal` (or at the end). */
  faults: Fault[];
  /** When the scenario last acted on the world (ms): deadlines of later judgements count from it. */
  actedAt?: number;
  /** Block of the last transaction the scenario sent (what `confirm` waits on). */
  lastTxBlock?: bigint;
  /** Requirements a check of this scenario failed so far: waiting longer cannot pass them again. */
  failed: Set<string>;
  /** What the steps after the running one prove: what a step proving nothing itself is there for. */
  provedLater: readonly string[];
}

/** A fresh context over `world`: what a scenario run and the playground act through. */
export function scenarioContext(world: ScenarioWorld): ScenarioContext {
  return {
    world,
    zone: world.booted.world.dns.zone,
    dnsServer: world.booted.world.dns.server,
    org: (name) => {
      const a = world.orgs.get(name);
      if (!a) throw new Error(`org "${name}" has no address yet (register it first)`);
      return a;
    },
    peer: (name) => {
      const p = world.peers.get(name);
      if (!p) throw new Error(`no peer "${name}"`);
      return p;
    },
    seen: new Map(),
    memory: new Map(),
    repos: new Map(),
    connections: new Map(),
    burst: [],
    faults: [],
    failed: new Set(),
    provedLater: [],
  };
}
