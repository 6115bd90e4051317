/**
 * Replication: pairs of peers in different LANs, one writing and one reading, either through an
 * org-node (the repository anchored on its org) or directly (the baseline, no provider in between).
 */
import type { Address } from 'viem';
import { anchorIdOf } from '../chain/anchors.js';
import { anchor, confirm } from '../chain/actions.js';
import type { TestClient, WalletClient } from '../chain/clients.js';
import { mine } from '../chain/mining.js';
import { labelOf, repoHead, type Published } from '../outside/index.js';
import {
  commit,
  connect,
  createRepo,
  fetch as radFetch,
  push,
  refs,
  seed as radSeed,
  type LocalRepo,
} from '../peers/index.js';
import { shuffled, type LatencyHistogram } from './histogram.js';
import type { Meter } from './meter.js';
import { DIAL_TIMEOUT_MS } from './peering.js';
import { poll } from './poll.js';
import type { Peer } from './world.js';

/** Timeout of one replication (push to the reader's storage). */
const REPLICATION_TIMEOUT_MS = 60_000;

export interface Pair {
  writer: Peer;
  reader: Peer;
  repo: LocalRepo;
  /** The org whose node carries it (provider pairs). */
  org?: Address;
  /** Direct pairs: the writer dials the reader through a port forward on the reader's router. */
  direct?: boolean;
}

export interface Pairs {
  provider: Pair[];
  baseline: Pair[];
}

/**
 * Pairs of peers in different LANs: half carry a repository anchored on an org (writer and reader keep
 * a persistent session with its org-node), half replicate directly (the reader's router forwards a
 * port to it; the writer dials it), with no provider in between.
 */
export async function replicationSetup(
  peers: Peer[],
  orgs: readonly Address[],
  published: Map<Address, Published>,
  chain: { owner: WalletClient; test: TestClient },
  { rng, notes, progress }: Pick<Meter, 'rng' | 'notes' | 'progress'>,
): Promise<Pairs> {
  const byLan = new Map<string, Peer[]>();
  for (const p of shuffled(peers, rng)) byLan.set(p.lan, [...(byLan.get(p.lan) ?? []), p]);
  if (byLan.size < 2) {
    notes.push('replication not measured: it needs peers in at least two LANs');
    return { provider: [], baseline: [] };
  }
  // Interleave LANs so that consecutive peers sit in different LANs.
  const queue: Peer[] = [];
  const lists = [...byLan.values()];
  while (lists.some((l) => l.length)) for (const l of lists) if (l.length) queue.push(l.shift()!);
  const raw: Array<[Peer, Peer]> = [];
  for (let i = 0; i + 1 < queue.length; i += 2) {
    if (queue[i]!.lan !== queue[i + 1]!.lan) raw.push([queue[i]!, queue[i + 1]!]);
  }
  const providerPairs = raw.filter((_, i) => i % 2 === 0);
  const baselinePairs = raw.filter((_, i) => i % 2 === 1);
  if (baselinePairs.length === 0) notes.push('baseline replication not measured: it needs at least 4 peers');
  progress(
    `replication set-up: ${providerPairs.length} pair(s) through org-nodes, ${baselinePairs.length} direct pair(s)`,
  );
  const provider = await Promise.all(
    providerPairs.map(async ([writer, reader], i) => {
      const org = orgs[i % orgs.length]!;
      const p = published.get(org)!;
      const dial = `${p.nid}@${p.name}:${p.port}`;
      writer.pinned.add(org);
      reader.pinned.add(org);
      await connect(writer.host, dial, { timeoutMs: DIAL_TIMEOUT_MS });
      const repo = await createRepo(writer.host, `load-${labelOf(org).slice(0, 8)}-${i + 1}`, {
        description: 'replicated through an org-node by oneclick load',
      });
      return { writer, reader, repo, org, dial };
    }),
  );
  // Anchors go out one by one from the org owner (its nonces), then the org-nodes seed them.
  for (const pair of provider) {
    await confirm(chain.test, await anchor(chain.owner, pair.org, anchorIdOf(pair.repo.rid), 0, '0x1220aa'));
  }
  if (provider.length) await mine(chain.test, 1); // the confirmation
  const ready = await Promise.all(
    provider.map(async (pair) => {
      const p = published.get(pair.org)!;
      // The org-node fetches an anchored repository from whoever announced it; announce it again now
      // and then (detached) until its API shows it, in case the first fetch came before the seed.
      let announced = 0;
      const seeded = await poll(
        async () => {
          if (performance.now() - announced > 4000) {
            announced = performance.now();
            void pair.writer.host
              .exec(['rad', 'sync', '--announce', pair.repo.rid, '--timeout', '3s'])
              .catch(() => undefined);
          }
          return (await repoHead(p.address, p.name, pair.repo.rid)) !== undefined ? true : undefined;
        },
        120_000,
        500,
      );
      if (!seeded) {
        notes.push(`${pair.repo.rid} anchored on ${pair.org} was not seeded by its org-node in 120 s`);
        return undefined;
      }
      await connect(pair.reader.host, pair.dial, { timeoutMs: DIAL_TIMEOUT_MS });
      await radSeed(pair.reader.host, pair.repo.rid);
      await radFetch(pair.reader.host, pair.repo.rid, p.nid, { timeoutMs: 30_000 });
      return { writer: pair.writer, reader: pair.reader, repo: pair.repo, org: pair.org } satisfies Pair;
    }),
  );
  const baseline = await Promise.all(
    baselinePairs.map(async ([writer, reader], i) => {
      const router = reader.host.lan!.router;
      const publicPort = 20_000 + i;
      await router.forwardPort({ publicPort, to: reader.host.address, port: 8776 });
      await connect(writer.host, `${reader.nid}@${router.publicAddress}:${publicPort}`, {
        timeoutMs: DIAL_TIMEOUT_MS,
      });
      const repo = await createRepo(writer.host, `direct-${i + 1}`, {
        description: 'replicated peer to peer by oneclick load (baseline)',
      });
      await radSeed(reader.host, repo.rid);
      await radFetch(reader.host, repo.rid, writer.nid, { timeoutMs: 30_000 });
      return { writer, reader, repo, direct: true } satisfies Pair;
    }),
  );
  return { provider: ready.filter((p): p is NonNullable<typeof p> => p !== undefined), baseline };
}

/** One push per pair, all pairs at once: push → org-node (provider pairs) → reader's storage. */
export async function replicationRound(
  pairs: Pairs,
  published: Map<Address, Published>,
  { h, now }: Pick<Meter, 'h' | 'now'>,
): Promise<void> {
  const one = async (pair: Pair, hist: LatencyHistogram) => {
    const head = await commit(
      pair.writer.host,
      pair.repo,
      { 'load.txt': `${Date.now()} ${Math.random()}\n` },
      'load: one more commit',
    );
    const ref = `refs/namespaces/${pair.writer.nid}/refs/heads/main`;
    const p0 = performance.now();
    const pushed = push(pair.writer.host, pair.repo);
    const atOrgNode =
      pair.org !== undefined
        ? poll(async () => {
            const p = published.get(pair.org!)!;
            const seen = await repoHead(p.address, p.name, pair.repo.rid);
            return seen === head ? performance.now() - p0 : undefined;
          }, REPLICATION_TIMEOUT_MS)
        : Promise.resolve(undefined);
    await pushed;
    const atReader = await poll(
      async () =>
        (await refs(pair.reader.host, pair.repo.rid))[ref] === head ? performance.now() - p0 : undefined,
      REPLICATION_TIMEOUT_MS,
    );
    const hop = await atOrgNode;
    if (pair.org !== undefined) {
      if (hop !== undefined) h.push_to_orgnode!.record(hop, now());
      else h.push_to_orgnode!.error();
    }
    if (atReader !== undefined) hist.record(atReader, now());
    else hist.error();
  };
  await Promise.all([
    ...pairs.provider.map((p) => one(p, h.replication!).catch(() => h.replication!.error())),
    ...pairs.baseline.map((p) =>
      one(p, h.baseline_replication!).catch(() => h.baseline_replication!.error()),
    ),
  ]);
}
