/**
 * A provider's own provider contracts (manifest `contracts`): the field's problems with their
 * positions, the ABI check naming what is missing, and that the world deploys and lists the
 * provider's contract in place of oneclick's (on Anvil, no Docker).
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import type { Abi } from 'viem';
import { ethProviderAbi, tokenProviderAbi } from '../../contracts/index.js';
import {
  cancel,
  confirm,
  expiryOf,
  listedProviders,
  packagePrice,
  topUp,
  topUpWithPermit,
  topUpWithValue,
} from '../../harness/chain/actions.js';
import { startChain } from '../../harness/chain/anvil.js';
import { testClientFor, walletClientFor } from '../../harness/chain/clients.js';
import { ROLE } from '../../harness/chain/accounts.js';
import { deployAll } from '../../harness/chain/deploy.js';
import { missingAbi, providerContracts, signature } from '../../harness/provider/contracts.js';
import { formatProblem, loadProvider, ManifestError } from '../../harness/provider/index.js';

const FAULTY = fileURLToPath(new URL('../../fixtures/providers/faulty/', import.meta.url));
const dirs: string[] = [];
afterAll(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

const HEAD = `apiVersion: oneclick/v2
name: own-contracts
version: 0.1.0
image: oneclick/provider-x:latest
runtime: docker
readiness: { http: { port: 9100, path: /healthz } }
`;

/** A provider package with `tail` after the common manifest lines and `files` beside it. */
async function pkg(tail: string, files: Record<string, string> = {}): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'oneclick-contracts-'));
  dirs.push(dir);
  await writeFile(join(dir, 'provider.yaml'), HEAD + tail);
  for (const [path, content] of Object.entries(files)) {
    await mkdir(join(dir, path, '..'), { recursive: true });
    await writeFile(join(dir, path), content);
  }
  return dir;
}

async function problems(run: () => Promise<unknown>): Promise<string[]> {
  const error = await run().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ManifestError);
  return (error as ManifestError).problems.map(formatProblem);
}

/** Outside the working directory: errors show the absolute path. */
const shownOf = (dir: string) => join(dir, 'provider.yaml');
const SOL = 'pragma solidity ^0.8.24;\n';

describe('manifest contracts: the field', () => {
  it('names a contract per currency, or is told what it needs, at the field', async () => {
    const empty = await pkg('contracts: {}\n');
    expect(await problems(() => loadProvider(empty))).toEqual([
      `${shownOf(empty)}:7:1: contracts: needs eth or token: the name of the contract deployed for that currency (e.g. contracts: { eth: MyEthProvider })`,
    ]);
    const bad = await pkg('currencies: [eth]\ncontracts: { eth: 1st, sorces: x }\n');
    expect(await problems(() => loadProvider(bad))).toEqual([
      `${shownOf(bad)}:8:19: contracts.eth: must be a Solidity contract name, got "1st"`,
      `${shownOf(bad)}:8:24: contracts.sorces: unknown field (did you mean "sources"?)`,
    ]);
  });

  it('one contract for every served currency and none for another; a sources folder with .sol files', async () => {
    const files = { 'contracts/A.sol': SOL };
    const both = await pkg('contracts: { eth: A }\n', files);
    expect(await problems(() => loadProvider(both))).toEqual([
      `${shownOf(both)}:7:12: contracts: names no token contract, but the provider serves token (currencies default to eth and token): add contracts.token, or set currencies to what the contracts serve`,
    ]);
    const unserved = await pkg('currencies: [eth]\ncontracts: { eth: A, token: B }\n', files);
    expect(await problems(() => loadProvider(unserved))).toEqual([
      `${shownOf(unserved)}:8:29: contracts.token: the provider does not serve token (currencies: [eth]): drop it or add token to currencies`,
    ]);
    const none = await pkg('currencies: [eth]\ncontracts: { eth: A }\n');
    expect(await problems(() => loadProvider(none))).toEqual([
      `${shownOf(none)}:8:12: contracts: must be a folder of Solidity sources inside the provider folder, got "contracts" (the default of contracts.sources)`,
    ]);
    const outside = await pkg('currencies: [eth]\ncontracts: { sources: .., eth: A }\n');
    expect(await problems(() => loadProvider(outside))).toEqual([
      `${shownOf(outside)}:8:23: contracts.sources: must be a folder of Solidity sources inside the provider folder, got ".."`,
    ]);
    const empty = await pkg('currencies: [eth]\ncontracts: { sources: src, eth: A }\n', {
      'src/README': 'x',
    });
    expect(await problems(() => loadProvider(empty))).toEqual([
      `${shownOf(empty)}:8:23: contracts.sources: no .sol file in "src"`,
    ]);
  });

  it('absent: no contracts of its own (oneclick deploys its own)', async () => {
    const dir = await pkg('');
    const loaded = await loadProvider(dir);
    expect(loaded.contracts).toBeUndefined();
    expect(await providerContracts(loaded)).toBeUndefined();
  });
});

describe('manifest contracts: compiled and held to the ABI of oneclick’s contract', () => {
  it('lists every function, event, constructor and InvalidAmount it lacks, by signature', () => {
    const without = (abi: Abi, drop: string[]) => abi.filter((i) => !drop.includes(signature(i)));
    const eth = ethProviderAbi as Abi;
    expect(missingAbi(eth, eth)).toEqual([]);
    const dropped = [
      'function topUpFor(address, address) payable',
      'event DeploymentStopped(address indexed, uint64)',
      'constructor(address, uint256, uint64)',
      'error InvalidAmount()',
      'function deploymentOf(address) view returns ((address,uint64,uint64))',
    ];
    expect(missingAbi(eth, without(eth, [...dropped, 'error Reentrancy()']))).toEqual(
      expect.arrayContaining(dropped),
    );
    expect(missingAbi(eth, without(eth, ['error Reentrancy()']))).toEqual([]);
    // topUp without payable is another function to a caller that sends ether.
    const notPayable = eth.map((i) =>
      i.type === 'function' && i.name === 'topUp' ? { ...i, stateMutability: 'nonpayable' as const } : i,
    );
    expect(missingAbi(eth, notPayable)).toEqual(['function topUp(address) payable']);
    expect(missingAbi(tokenProviderAbi as Abi, eth)).toContain(
      'function topUpWithEth(address, uint64, uint256) payable',
    );
  });

  it('a contract that lacks part of the ABI, one that is not there, sources that do not compile', async () => {
    const partial = `${SOL}contract Half { event NewTopUp(address indexed org, uint64 expiry);
      function expiryOf(address) external pure returns (uint64) { return 0; } }\n`;
    const half = await pkg('currencies: [eth]\ncontracts: { eth: Half }\n', {
      'contracts/Half.sol': partial,
    });
    const [line] = await problems(async () => providerContracts(await loadProvider(half)));
    expect(line).toMatch(
      new RegExp(
        `^${shownOf(half)}:8:19: contracts\\.eth: Half does not keep the ABI of oneclick's EthProvider \\(ProviderBase, SPEC\\.md §1\\): missing `,
      ),
    );
    expect(line).toContain('function topUp(address) payable;');
    expect(line).toContain('event DeploymentStopped(address indexed, uint64)');
    expect(line).not.toContain('event NewTopUp');

    const other = await pkg('currencies: [eth]\ncontracts: { eth: Whole }\n', {
      'contracts/Half.sol': partial,
    });
    expect(await problems(async () => providerContracts(await loadProvider(other)))).toEqual([
      `${shownOf(other)}:8:19: contracts.eth: no deployable contract Whole in contracts (compiled: Half)`,
    ]);

    const broken = await pkg('currencies: [eth]\ncontracts: { eth: A }\n', {
      'contracts/A.sol': `${SOL}import {X} from "elsewhere/X.sol";\ncontract A {}\n`,
    });
    const [compileError] = await problems(async () => providerContracts(await loadProvider(broken)));
    expect(compileError).toMatch(
      new RegExp(`^${shownOf(broken)}:8:12: contracts: contracts does not compile: `),
    );
    expect(compileError).toContain('import not found: elsewhere/X.sol');
  }, 120_000);

  it('the shipped contract mutants compile and keep the ABI (importing oneclick/… where they reuse it)', async () => {
    for (const [name, currency, contract] of [
      ['contract-arithmetic', 'eth', 'OffByOneEthProvider'],
      ['contract-stop-amount', 'eth', 'LenientEthProvider'],
      ['contract-permit', 'token', 'BrokenPermitTokenProvider'],
    ] as const) {
      const own = await providerContracts(await loadProvider(join(FAULTY, name)));
      expect(Object.keys(own ?? {}), name).toEqual([currency]);
      expect(own?.[currency]?.name, name).toBe(contract);
    }
  }, 120_000);
});

describe('manifest contracts: deployed in place of oneclick’s', () => {
  it('each contract mutant’s bug acts on the deployed contract (what certification must catch)', async () => {
    const load = async (name: string) => (await providerContracts(await loadProvider(join(FAULTY, name))))!;
    const chain = await startChain({});
    try {
      const d = await deployAll(chain, {
        providerContracts: {
          eth: (await load('contract-stop-amount')).eth!,
          ...(await load('contract-permit')),
        },
      });
      const test = testClientFor(chain);
      const user = walletClientFor(chain, ROLE.user);
      const org = walletClientFor(chain, ROLE.stranger).account.address;
      const price = await packagePrice(test, d.ethProvider);
      // Whole packages and change: accepted (the change kept), where oneclick's reverts InvalidAmount.
      await confirm(test, await topUpWithValue(user, d.ethProvider, org, price + 1n));
      const stopped = await confirm(test, await cancel(user, d.ethProvider, org));
      // DeploymentStopped, yet the deployment goes on.
      expect(await expiryOf(test, d.ethProvider, org)).toBeGreaterThan(stopped.blockNumber);
      await expect(topUpWithPermit(user, d.tokenProvider, org, 1)).rejects.toThrow(/PermitFailed/);
    } finally {
      await chain.stop();
    }
  }, 120_000);

  it("the world's EthProvider is the provider's own contract, listed on the Entrance", async () => {
    const own = await providerContracts(await loadProvider(join(FAULTY, 'contract-arithmetic')));
    const chain = await startChain({});
    try {
      const d = await deployAll(chain, { providerContracts: own! });
      const test = testClientFor(chain);
      expect(await test.getCode({ address: d.ethProvider })).not.toBe(
        await test.getCode({ address: d.tokenProvider }),
      );
      expect((await listedProviders(test, d.entrance)).map((p) => p.provider)).toContain(d.ethProvider);
      const org = walletClientFor(chain, ROLE.stranger).account.address;
      const receipt = await confirm(
        test,
        await topUp(walletClientFor(chain, ROLE.user), d.ethProvider, org, 1),
      );
      // The mutant's bug, so this is its contract: a package ends one block early.
      expect(await expiryOf(test, d.ethProvider, org)).toBe(receipt.blockNumber + 99n);
    } finally {
      await chain.stop();
    }
  }, 120_000);
});
