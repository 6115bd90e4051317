/**
 * A scenario after parsing and validation (scenarios/*.yaml → parseScenario). Every step keeps its
 * source line so a report and an error can point at it. The file format is in scenarios/README.md.
 */
import type { NatPreset } from '../net/router.js';
import type { DeadlineName, RequirementId } from '../spec/requirements.js';

/** A profile deadline by name, or an explicit one. */
export type Deadline = { name: DeadlineName } | { seconds: number };

/** `controller` = the provider container; `node:<org>` = that org's org-node (found by its `oneclick.org` label). */
export type Target = { kind: 'controller' } | { kind: 'node'; org: string };

export interface OrgSpec {
  name: string;
  /** `contract`: created through OrgFactory at setup (can anchor); `address`: a derived address. */
  kind: 'contract' | 'address';
}

export interface PeerSpec {
  name: string;
  /** LAN name; peers sharing one share its router. Absent: straight on `internet`. */
  lan?: string;
  nat?: NatPreset;
}

/** What `wait`, `expect` and `never` judge; each is black-box (chain, DNS, p2p, HTTP). */
export type Condition =
  /** A, SRV, TXT, HTTP NID and a p2p handshake, all present (not cross-checked). */
  | { kind: 'served'; org: string }
  /** Any trace of the org: an A/SRV/TXT record or an HTTP 200 by its Host. */
  | { kind: 'published'; org: string }
  /** No record, no HTTP route, no p2p answer on the last known port. */
  | { kind: 'gone'; org: string }
  /** A, SRV, TXT agree with each other, with the node's handshake NID and with expiryOf on chain. */
  | { kind: 'dns-consistent'; org: string }
  /** The TXT `expiry=` equals `expiryOf(org)` on chain (the NID is PROV-DNS's business). */
  | { kind: 'txt-expiry'; org: string }
  /** `peer` (default: the harness's own peer on internet) handshakes with the node at SRV target:port. */
  | { kind: 'p2p'; org: string; peer?: string }
  /** Host-routed HTTP answers with the NID the handshake gives. */
  | { kind: 'http'; org: string }
  /** Same NID, same node start as remembered in `since`, and every session opened since kept. */
  | { kind: 'same-node'; org: string; since: string }
  /** Same NID as remembered in `since` (a new container is fine). */
  | { kind: 'same-identity'; org: string; since: string }
  /** The org-node has repository `repo` (a name from create-repo). */
  | { kind: 'has-repo'; org: string; repo: string }
  /** The org-node does not have `repo`. */
  | { kind: 'lacks-repo'; org: string; repo: string }
  /** `peer` fetched `repo` from the org's node and has the refs its pusher pushed last. */
  | { kind: 'fetched'; org: string; peer: string; repo: string }
  /** Every pair of `orgs`: different ports and NIDs; each name, port and Host reaches its own node. */
  | { kind: 'isolated'; orgs: string[] }
  /** Every org of the last burst is served, with distinct ports and NIDs. */
  | { kind: 'burst-served' };

interface StepBase {
  /** 0-based position in `steps`, and where it is in the file. */
  index: number;
  line: number;
  /** Requirements this step's own checks prove (e.g. a top-up proving CHAIN-TOPUP). */
  proves: RequirementId[];
}

export type Step = StepBase &
  (
    | { kind: 'top-up'; org: string; packages: number }
    | { kind: 'register-then-top-up'; org: string; packages: number }
    /** A payment that is not a whole number of packages; passes when it reverts with InvalidAmount. */
    | { kind: 'invalid-top-up'; org: string }
    | { kind: 'cancel'; org: string }
    | { kind: 'suspend'; org: string }
    | { kind: 'anchor'; org: string; repo: string }
    /** Top-ups of `count` fresh orgs in one block (`count` absent: the profile's `burst`). */
    | { kind: 'burst'; count?: number }
    | { kind: 'foreign-top-up'; org: string }
    | { kind: 'malformed-log' }
    | { kind: 'mine'; blocks: number }
    /** Mines until the chain's confirmations make everything sent so far actionable. */
    | { kind: 'confirm' }
    /** Mines to `expiry + offset` (`at: expiry`) or `expiry + grace + offset` (`at: grace-end`) of `org`. */
    | { kind: 'mine-to'; org: string; at: 'expiry' | 'grace-end'; offset: number }
    | { kind: 'reorg'; depth: number }
    | { kind: 'kill'; target: Target }
    | { kind: 'start'; target: Target }
    | { kind: 'restart'; target: Target }
    | { kind: 'pause'; target: Target }
    | { kind: 'unpause'; target: Target }
    | { kind: 'partition'; peer: string; org: string }
    | { kind: 'heal' }
    | { kind: 'loss'; peer: string; percent: number }
    | { kind: 'latency'; peer: string; ms: number }
    | { kind: 'bandwidth'; peer: string; kbit: number }
    | { kind: 'connect'; peer: string; org: string }
    | { kind: 'create-repo'; peer: string; repo: string }
    | { kind: 'push'; peer: string; repo: string }
    | { kind: 'remember'; org: string; as: string }
    | { kind: 'sleep'; seconds: number }
    /** Waits until `condition` holds, at most `within`; failing it fails `proves` and ends the scenario. */
    | { kind: 'wait'; condition: Condition; within: Deadline }
    /** Like wait (`within` absent: must hold now); failing it fails `proves` and the scenario goes on. */
    | { kind: 'expect'; condition: Condition; within?: Deadline }
    /** `condition` must stay false for all of `for`. */
    | { kind: 'never'; condition: Condition; for: Deadline }
  );

export type StepKind = Step['kind'];

export interface Scenario {
  /** Absolute path of the file it came from. */
  file: string;
  /** `scenario:` — unique across the suite; reports and `--scenarios` name it. */
  id: string;
  title: string;
  description?: string;
  /** Union of every step's `proves`, in first-seen order. */
  proves: RequirementId[];
  orgs: OrgSpec[];
  peers: PeerSpec[];
  steps: Step[];
  /** Hard limit for the whole scenario. */
  timeoutSeconds: number;
}

/** A profile (scenarios/profiles/<name>.yaml): deadlines and the world's knobs. */
export interface Profile {
  name: string;
  file: string;
  deadlines: Record<DeadlineName, number>;
  confirmations: number;
  graceBlocks: number;
  /** Orgs in a `burst` step with no count. */
  burst: number;
  /** Scenarios run side by side (each in its own world). */
  parallel: number;
}
