/**
 * A scenario after parsing and validation (scenarios/*.yaml → parseScenario). Every step keeps its
 * source line so a report and an error can point at it. The file format is in scenarios/README.md.
 */
import type { NatPreset } from '../net/router.js';
import type { Currency, DeadlineName, RequirementId } from '../spec/requirements.js';

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
  /** Some part of a deployment missing: its A, SRV or TXT record, or its running org-node container. */
  | { kind: 'incomplete'; org: string }
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

export interface StepBase {
  /** 0-based position in `steps`, and where it is in the file. */
  index: number;
  line: number;
  /** Requirements this step's own checks prove (e.g. a top-up proving CHAIN-TOPUP). */
  proves: RequirementId[];
}

/**
 * The model fields of each step kind. Empty here: each step file (steps/<kind>.ts) adds its own
 * (declaration merging), so a new step is typed without editing this file.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- filled in by the step files
export interface StepForms {}

export type StepKind = keyof StepForms;
export type Step = { [K in StepKind]: StepBase & { kind: K } & StepForms[K] }[StepKind];

export interface Scenario {
  /** Absolute path of the file it came from. */
  file: string;
  /** `scenario:` — unique across the suite; reports and `--scenarios` name it. */
  id: string;
  title: string;
  description?: string;
  /** `currency:` — the provider contract the provider serves here (default eth). */
  currency: Currency;
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
