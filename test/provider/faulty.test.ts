/**
 * oneclick's own mutant providers (fixtures/providers/faulty/<defect>): each is the reference
 * provider with one deliberate bug (DEPLOYER_DEFECT, harness/deployer/defects.ts) and names the
 * requirements the conformance suite must fail it on (`mustFail`). Cheap checks only: the manifests,
 * the shared image, the variable. That each defect acts is test/deployer/defects.test.ts; that the
 * suite catches each one is the certification's own test.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../harness/deployer/config.js';
import { DEFECT_NAMES, DEFECT_VARIABLE } from '../../harness/deployer/defects.js';
import { loadProvider, providerImage, type LoadedProvider } from '../../harness/provider/index.js';
import { isRequirementId } from '../../harness/spec/requirements.js';
import { REFERENCE_DIR } from './reference-fixture.js';

const FAULTY_DIR = fileURLToPath(new URL('../../fixtures/providers/faulty/', import.meta.url));

/** What each mutant must fail: the bug's requirements, and only those. */
const EXPECTED: Record<string, string[]> = {
  'restart-on-extend': ['PROV-EXTEND'],
  'never-teardown': ['PROV-EXPIRY', 'PROV-STOP'],
  'wrong-nid': ['PROV-DNS'],
  'ephemeral-storage': ['PROV-NODE-RESTART', 'PROV-RENEWAL'],
  'ignore-confirmations': ['PROV-CONFIRMATIONS'],
  'shared-port': ['PROV-ISOLATION', 'PROV-MANY'],
  'early-teardown': ['PROV-GRACE'],
  amnesia: ['PROV-CONTROLLER-RESTART'],
  'ignore-anchors': ['PROV-ANCHOR', 'PROV-REPLICATION'],
};

async function mutants(): Promise<Array<{ folder: string; provider: LoadedProvider }>> {
  const folders = (await readdir(FAULTY_DIR, { withFileTypes: true }))
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
  return Promise.all(
    folders.map(async (folder) => ({ folder, provider: await loadProvider(join(FAULTY_DIR, folder)) })),
  );
}

describe('the faulty (mutant) providers', () => {
  it('there is one per defect, each a valid manifest naming its defect and known requirements to fail', async () => {
    const all = await mutants();
    expect(all.map((m) => m.folder)).toEqual([...DEFECT_NAMES].sort());
    for (const { folder, provider } of all) {
      const { manifest } = provider;
      expect(manifest.name, folder).toBe(`faulty-${folder}`);
      expect(manifest.env?.[DEFECT_VARIABLE], folder).toBe(folder);
      expect(manifest.mustFail, folder).toEqual(EXPECTED[folder]);
      for (const id of manifest.mustFail ?? []) expect(isRequirementId(id), `${folder}: ${id}`).toBe(true);
      expect(manifest.requirements, folder).toBeUndefined();
    }
  });

  it("each runs the reference's image with the reference's env and readiness, plus DEPLOYER_DEFECT", async () => {
    const reference = await loadProvider(REFERENCE_DIR);
    for (const { folder, provider } of await mutants()) {
      expect(provider.build, folder).toEqual(reference.build);
      expect(provider.build?.imageName, folder).toBe('reference');
      expect(provider.manifest.env, folder).toEqual({
        ...reference.manifest.env,
        [DEFECT_VARIABLE]: folder,
      });
      expect(provider.manifest.readiness, folder).toEqual(reference.manifest.readiness);
      expect(provider.manifest.runtime, folder).toBe(reference.manifest.runtime);
    }
  });

  it('all build to the one image of the reference (built once, then cached)', async () => {
    const quiet = { onProgress: () => undefined };
    const reference = await providerImage(await loadProvider(REFERENCE_DIR), quiet);
    expect(reference.tag).toMatch(/^oneclick-provider\/reference:[0-9a-f]{12}$/);
    for (const { folder, provider } of await mutants()) {
      const image = await providerImage(provider, quiet);
      expect({ tag: image.tag, id: image.id, built: image.built }, folder).toEqual({
        tag: reference.tag,
        id: reference.id,
        built: false,
      });
    }
  }, 300_000);
});

describe('DEPLOYER_DEFECT', () => {
  const env = {
    ONECLICK_RPC_URL: 'http://127.0.0.1:8545',
    ONECLICK_CHAIN_ID: '31337',
    ONECLICK_PROVIDER_ADDRESS: '0x5fbdb2315678afecb367f032d93f642f64180aa3',
    ONECLICK_CONFIRMATIONS: '2',
    ONECLICK_GRACE_BLOCKS: '10',
  };

  it('absent or empty: no defect (the reference)', () => {
    expect(parseConfig(env).defect).toBeUndefined();
    expect(parseConfig({ ...env, DEPLOYER_DEFECT: ' ' }).defect).toBeUndefined();
    expect(JSON.stringify(parseConfig(env))).not.toContain('defect');
  });

  it('each known name is parsed', () => {
    for (const name of DEFECT_NAMES) expect(parseConfig({ ...env, DEPLOYER_DEFECT: name }).defect).toBe(name);
  });

  it('an unknown name is a configuration error naming the variable and the known names', () => {
    let error: unknown;
    try {
      parseConfig({ ...env, DEPLOYER_DEFECT: 'slow-dns' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems;
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^DEPLOYER_DEFECT: expected one of restart-on-extend, never-teardown, /);
    for (const name of DEFECT_NAMES) expect(problems[0]).toContain(name);
    expect(problems[0]).toMatch(/, got "slow-dns"$/);
  });
});
