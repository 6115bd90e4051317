/**
 * The requirements of SPEC.md §5, as data: what reports and scenarios name. SPEC.md is the prose;
 * test/spec/requirements.test.ts keeps the two in step (same IDs, levels and titles).
 */
export type Level = 'MUST' | 'SHOULD';

/** A profile's deadline names (scenarios/profiles/*.yaml); a requirement is judged against one. */
export type DeadlineName =
  'provision' | 'update' | 'teardown' | 'recover' | 'connect' | 'replicate' | 'quiet';

export type Observation = 'chain' | 'dns' | 'p2p' | 'http';

export interface Requirement {
  readonly id: string;
  readonly level: Level;
  readonly title: string;
  readonly observedBy: readonly Observation[];
  /** The profile deadline this requirement is judged against, if any (blocks are fixed by the chain). */
  readonly deadline?: DeadlineName;
  /** Judged only for a provider serving this currency's contract (manifest `currencies`). */
  readonly currency?: Currency;
}

/** The provider contracts a provider may serve: `EthProvider` (ether) or `TokenProvider` (stablecoin). */
export type Currency = 'eth' | 'token';
export const CURRENCIES: readonly Currency[] = ['eth', 'token'];

/** Whether a provider serving `currencies` is judged on `r`. */
export const appliesTo = (r: Requirement, currencies: readonly Currency[]): boolean =>
  r.currency === undefined || currencies.includes(r.currency);

const req = (
  id: string,
  level: Level,
  title: string,
  observedBy: readonly Observation[],
  deadline?: DeadlineName,
): Requirement => ({ id, level, title, observedBy, ...(deadline && { deadline }) });

const forTokens = <R extends Requirement>(r: R): R & { currency: 'token' } => ({ ...r, currency: 'token' });

export const REQUIREMENTS = [
  req(
    'CHAIN-TOPUP',
    'MUST',
    'A top-up of k packages starts a deployment ending k × packageBlocks after its block and emits NewTopUp(org, expiry)',
    ['chain'],
  ),
  req('CHAIN-EXTEND', 'MUST', 'A top-up of an active deployment adds k × packageBlocks to its expiry', [
    'chain',
  ]),
  req(
    'CHAIN-STOP',
    'MUST',
    'Cancel by the deployment owner and suspend by the provider owner end the deployment at once and emit DeploymentStopped',
    ['chain'],
  ),
  req(
    'CHAIN-INVALID-AMOUNT',
    'MUST',
    'A payment that is not a whole, non-zero number of packages reverts with InvalidAmount',
    ['chain'],
  ),
  forTokens(
    req(
      'CHAIN-TOKEN',
      'MUST',
      'A TokenProvider top-up paid with an allowance, a permit or an ETH→token swap starts or extends a deployment as a top-up does',
      ['chain'],
    ),
  ),
  req(
    'PROV-CONFIRMATIONS',
    'MUST',
    'Nothing is published for a top-up before it is ONECLICK_CONFIRMATIONS blocks deep',
    ['dns', 'http'],
    'quiet',
  ),
  req(
    'PROV-PROVISION',
    'MUST',
    'A confirmed top-up is served (A, PTR, SRV, TXT, p2p, HTTP) within the provisioning deadline',
    ['dns', 'p2p', 'http'],
    'provision',
  ),
  req(
    'PROV-DNS',
    'MUST',
    "A, PTR, SRV and TXT agree: A is a public address, the browse PTR lists the org's instance, its SRV names the org and its p2p port, its TXT carries the NID the node answers with and the expiry on chain",
    ['dns', 'p2p', 'chain'],
    'update',
  ),
  req(
    'PROV-P2P',
    'MUST',
    'A peer on the internet completes a radicle handshake with the org-node at the SRV address and port',
    ['p2p'],
    'connect',
  ),
  req(
    'PROV-NAT',
    'MUST',
    'Peers behind every NAT preset connect to the org-node and keep the session',
    ['p2p'],
    'connect',
  ),
  req(
    'PROV-HTTP',
    'MUST',
    'GET http://<label>.<zone>/api/v1/node on port 80 answers with the org-node NID, routed by Host',
    ['http'],
    'provision',
  ),
  req(
    'PROV-EXTEND',
    'MUST',
    'A top-up of a live deployment updates the TXT expiry without restarting the node: same NID, same start, peer sessions kept',
    ['dns', 'p2p', 'http'],
    'update',
  ),
  req('PROV-GRACE', 'MUST', 'A deployment stays served until block expiry + grace', ['dns', 'http', 'chain']),
  req(
    'PROV-EXPIRY',
    'MUST',
    'At block expiry + grace the records and endpoints go away within the teardown deadline',
    ['dns', 'p2p', 'http'],
    'teardown',
  ),
  req(
    'PROV-RENEWAL',
    'MUST',
    'A renewal after expiry within retention restores the same NID and the repositories the node had',
    ['dns', 'p2p', 'http'],
    'provision',
  ),
  req(
    'PROV-STOP',
    'MUST',
    'After DeploymentStopped (cancel or suspend) the records and endpoints go away within the teardown deadline',
    ['dns', 'http'],
    'teardown',
  ),
  req(
    'PROV-NODE-RESTART',
    'MUST',
    'An org-node killed or restarted comes back with the same NID and data',
    ['p2p', 'http'],
    'recover',
  ),
  req(
    'PROV-CONTROLLER-RESTART',
    'MUST',
    'A provider killed and started again keeps every deployment (same NID) and serves top-ups made while it was down',
    ['dns', 'http'],
    'recover',
  ),
  req(
    'PROV-REORG',
    'MUST',
    'A top-up reorged away before its confirmation leaves nothing served',
    ['dns', 'http', 'chain'],
    'quiet',
  ),
  req(
    'PROV-REORG-CONFIRMED',
    'MUST',
    'A confirmed top-up, extension or cancel reorged away is undone: the deployment goes, the TXT expiry rolls back, a cancelled deployment is served again with its NID',
    ['dns', 'p2p', 'http', 'chain'],
    'recover',
  ),
  req(
    'PROV-ISOLATION',
    'MUST',
    "Each org's name, port and HTTP route reach only its own node and its own repositories",
    ['dns', 'p2p', 'http'],
    'provision',
  ),
  req(
    'PROV-MANY',
    'MUST',
    'Many top-ups in one block all converge, each with its own port and NID',
    ['dns', 'http'],
    'provision',
  ),
  req(
    'PROV-ANCHOR',
    'MUST',
    "An org's anchored repositories are seeded by its org-node",
    ['http', 'p2p'],
    'replicate',
  ),
  req(
    'PROV-REPLICATION',
    'MUST',
    'A push by a peer behind NAT reaches a peer in another LAN through the org-node',
    ['p2p'],
    'replicate',
  ),
  req(
    'PROV-FOREIGN',
    'MUST',
    'Events from other contracts and malformed logs are ignored',
    ['dns', 'http'],
    'quiet',
  ),
  forTokens(
    req(
      'PROV-TOKEN',
      'MUST',
      'A provider serving a TokenProvider serves orgs paid with an allowance, a permit or a swap',
      ['dns', 'p2p', 'http', 'chain'],
      'provision',
    ),
  ),
  req(
    'PROV-GRACE-TOPUP',
    'MUST',
    'A top-up landing at block expiry or during grace continues the deployment: same node, new expiry, never gone',
    ['dns', 'p2p', 'http', 'chain'],
    'update',
  ),
  req(
    'PROV-PARTITION',
    'MUST',
    'After a partition between a peer behind NAT and the org-node heals, the session and replication come back',
    ['p2p'],
    'recover',
  ),
  req(
    'PROV-LOSSY-LINK',
    'MUST',
    'Over a lossy link with added latency a push still reaches a peer in another LAN through the org-node',
    ['p2p'],
    'replicate',
  ),
  req(
    'PROV-GIT-HTTP',
    'MUST',
    'git clone http://<label>.<zone>/<rid>.git from the internet yields the anchored repository with its pushed head',
    ['http'],
    'replicate',
  ),
] as const satisfies readonly Requirement[];

export type RequirementId = (typeof REQUIREMENTS)[number]['id'];

const byId: ReadonlyMap<string, Requirement> = new Map(REQUIREMENTS.map((r) => [r.id, r]));

export function requirement(id: string): Requirement | undefined {
  return byId.get(id);
}

export function isRequirementId(id: string): id is RequirementId {
  return byId.has(id);
}

export const REQUIREMENT_IDS: readonly RequirementId[] = REQUIREMENTS.map((r) => r.id);
