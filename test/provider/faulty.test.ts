/**
 * oneclick's own mutant providers (fixtures/providers/faulty/<mutant>): each is the reference
 * deployer with one deliberate bug (MUTANT=<mutant>, harness/mutants) and names the requirements
 * the conformance suite must fail it on (`mustFail`). Cheap checks only: the manifests, the shared
 * image, the variable. That each mutant acts is test/mutants/mutants.test.ts; that the suite
 * catches each one is the certification's own test.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { MUTANT_NAMES, MUTANT_VARIABLE, mutantOf } from '../../harness/mutants/index.js';
import { loadProvider, providerImage, type LoadedProvider } from '../../harness/provider/index.js';
import { isRequirementId } from '../../harness/spec/requirements.js';
import { REFERENCE_DIR } from './reference-fixture.js';

const FAULTY_DIR = fileURLToPath(new URL('../../fixtures/providers/faulty/', import.meta.url));
const MUTANTS_DIR = fileURLToPath(new URL('../../fixtures/providers/mutants/', import.meta.url));

/** What each mutant must fail: the bug's requirements, and only those. */
const EXPECTED: Record<string, string[]> = {
  'restart-on-extend': ['PROV-EXTEND'],
  'never-teardown': ['PROV-EXPIRY', 'PROV-STOP'],
  'wrong-nid': ['PROV-DNS'],
  'ephemeral-storage': ['PROV-NODE-RESTART', 'PROV-RENEWAL'],
  'ignore-confirmations': ['PROV-CONFIRMATIONS'],
  // One port for all: the org whose node does not answer there is never served.
  'shared-port': ['PROV-PROVISION', 'PROV-P2P', 'PROV-ISOLATION', 'PROV-MANY'],
  'early-teardown': ['PROV-GRACE'],
  amnesia: ['PROV-CONTROLLER-RESTART'],
  // Nothing seeded: git over HTTP has nothing to clone either.
  'ignore-anchors': ['PROV-ANCHOR', 'PROV-REPLICATION', 'PROV-GIT-HTTP'],
  'restart-in-grace': ['PROV-GRACE-TOPUP'],
  'api-only-edge': ['PROV-GIT-HTTP'],
  'early-by-one': ['PROV-CONFIRMATIONS'],
  'reorg-final': ['PROV-REORG-CONFIRMED', 'PROV-DNS'],
  'any-emitter': ['PROV-FOREIGN'],
  'eth-only': ['PROV-TOKEN'],
  'head-final': ['PROV-REORG'],
  // No browse PTR: never served (PROV-PROVISION), and the records do not agree (PROV-DNS).
  'no-browse-ptr': ['PROV-PROVISION', 'PROV-DNS'],
  // One inbound connection: the second peer is refused, so nothing reaches it through the node.
  'idle-limits': ['PROV-NAT', 'PROV-REPLICATION'],
  // One org's Host is its own node's by luck; with two, every Host reaches one node.
  'last-upstream': ['PROV-HTTP', 'PROV-ISOLATION', 'PROV-MANY'],
  // One org's port reaches its own node; with two, each port reaches the other's node (never served).
  'next-p2p-node': ['PROV-PROVISION', 'PROV-P2P', 'PROV-ISOLATION', 'PROV-MANY'],
  // One connection per address: a peer holding its session cannot make a fresh handshake.
  'one-per-address': ['PROV-NAT', 'PROV-PARTITION'],
  // Socket buffers of a few KiB, no SACK: fine on a LAN, a crawl over a lossy link with latency.
  'small-buffers': ['PROV-LOSSY-LINK'],
};

/** Contract mutants: the reference itself over a provider contract of their own (manifest `contracts`). */
const CONTRACT_MUTANTS: Record<string, { mustFail: string[]; contracts: Record<string, string> }> = {
  'contract-arithmetic': {
    mustFail: ['CHAIN-TOPUP', 'CHAIN-EXTEND'],
    contracts: { eth: 'OffByOneEthProvider' },
  },
  'contract-stop-amount': {
    mustFail: ['CHAIN-STOP', 'CHAIN-INVALID-AMOUNT'],
    contracts: { eth: 'LenientEthProvider' },
  },
  'contract-permit': { mustFail: ['CHAIN-TOKEN'], contracts: { token: 'BrokenPermitTokenProvider' } },
};

/** The deployer mutants (MUTANT=<name>); `contract`: the contract mutants instead. */
async function mutants(contract = false): Promise<Array<{ folder: string; provider: LoadedProvider }>> {
  const folders = (await readdir(FAULTY_DIR, { withFileTypes: true }))
    .filter((e) => e.isDirectory() && Object.hasOwn(CONTRACT_MUTANTS, e.name) === contract)
    .map((e) => e.name)
    .sort();
  return Promise.all(
    folders.map(async (folder) => ({ folder, provider: await loadProvider(join(FAULTY_DIR, folder)) })),
  );
}

describe('the faulty (mutant) providers', () => {
  it('there is one per mutant, each a valid manifest naming its mutant and known requirements to fail', async () => {
    const all = await mutants();
    expect(all.map((m) => m.folder)).toEqual([...MUTANT_NAMES].sort());
    for (const { folder, provider } of all) {
      const { manifest } = provider;
      expect(manifest.name, folder).toBe(`faulty-${folder}`);
      expect(manifest.env?.[MUTANT_VARIABLE], folder).toBe(folder);
      expect(manifest.mustFail, folder).toEqual(EXPECTED[folder]);
      for (const id of manifest.mustFail ?? []) expect(isRequirementId(id), `${folder}: ${id}`).toBe(true);
      expect(manifest.requirements, folder).toBeUndefined();
    }
  });

  it('the contract mutants run the reference as it is, over their own contract', async () => {
    const reference = await loadProvider(REFERENCE_DIR);
    const all = await mutants(true);
    expect(all.map((m) => m.folder)).toEqual(Object.keys(CONTRACT_MUTANTS).sort());
    for (const { folder, provider } of all) {
      const { manifest } = provider;
      expect(manifest.name, folder).toBe(`faulty-${folder}`);
      expect(manifest.mustFail, folder).toEqual(CONTRACT_MUTANTS[folder]!.mustFail);
      expect(manifest.contracts, folder).toEqual(CONTRACT_MUTANTS[folder]!.contracts);
      expect(provider.build, folder).toEqual(reference.build);
      expect(manifest.env, folder).toEqual(reference.manifest.env);
      expect(manifest.readiness, folder).toEqual(reference.manifest.readiness);
    }
  });

  it("each runs the mutants' image with the reference's env and readiness, plus MUTANT", async () => {
    const reference = await loadProvider(REFERENCE_DIR);
    const image = await loadProvider(MUTANTS_DIR);
    expect(image.manifest.env).toEqual(reference.manifest.env);
    for (const { folder, provider } of await mutants()) {
      expect(provider.build, folder).toEqual(image.build);
      expect(provider.build?.imageName, folder).toBe('mutants');
      expect(provider.manifest.env, folder).toEqual({
        ...reference.manifest.env,
        [MUTANT_VARIABLE]: folder,
      });
      expect(provider.manifest.readiness, folder).toEqual(reference.manifest.readiness);
      expect(provider.manifest.runtime, folder).toBe(reference.manifest.runtime);
    }
  });

  it("all build to the one image of the mutants' package (built once, then cached)", async () => {
    const quiet = { onProgress: () => undefined };
    const shared = await providerImage(await loadProvider(MUTANTS_DIR), quiet);
    expect(shared.tag).toMatch(/^oneclick-provider\/mutants:[0-9a-f]{12}$/);
    for (const { folder, provider } of await mutants()) {
      const image = await providerImage(provider, quiet);
      expect({ tag: image.tag, id: image.id, built: image.built }, folder).toEqual({
        tag: shared.tag,
        id: shared.id,
        built: false,
      });
    }
  }, 300_000);
});

describe('MUTANT', () => {
  it('absent or empty: a configuration error naming the variable and the known names', () => {
    for (const env of [{}, { MUTANT: ' ' }]) {
      const problem = (mutantOf(env) as { problem: string }).problem;
      expect(problem).toMatch(/^MUTANT: expected one of restart-on-extend, never-teardown, /);
      expect(problem).toMatch(/\(it is not set\)$/);
    }
  });

  it('each known name is parsed', () => {
    for (const name of MUTANT_NAMES) expect(mutantOf({ MUTANT: name })).toBe(name);
  });

  it('an unknown name is a configuration error naming the variable and the known names', () => {
    const problem = (mutantOf({ MUTANT: 'slow-dns' }) as { problem: string }).problem;
    expect(problem).toMatch(/^MUTANT: expected one of restart-on-extend, never-teardown, /);
    for (const name of MUTANT_NAMES) expect(problem).toContain(name);
    expect(problem).toMatch(/, got "slow-dns"$/);
  });
});
