/**
 * The reference provider as a provider package (fixtures/providers/reference) in a world booted by
 * the harness, and the outside probes its tests and bench/provision.ts judge it with (SPEC.md §4):
 * DNS asked from a host on `internet`, HTTP routed by Host through the published address.
 */
import { fileURLToPath } from 'node:url';
import { encodeFunctionData, getAddress, numberToHex, type Address } from 'viem';
import { ethProviderAbi } from '../../contracts/index.js';
import { confirm, expiryOf, packagePrice, topUp } from '../../harness/chain/actions.js';
import { sendMany } from '../../harness/chain/bulk.js';
import type { TestClient, WalletClient } from '../../harness/chain/clients.js';
import { mine, useAutomine, useManualMining } from '../../harness/chain/mining.js';
import { dockerEngine } from '../../harness/docker/engine.js';
import { RUN_LABEL } from '../../harness/docker/labels.js';
import type { Run } from '../../harness/docker/run.js';
import { ensureImage } from '../../harness/images/index.js';
import { fqdnOf, lookup as lookupRecords, nodeInfo, publishedOf } from '../../harness/outside/index.js';
import type { Host } from '../../harness/net/topology.js';
import type { ProviderHandle } from '../../harness/provider/index.js';
import { bootWorld, populate, type BootedWorld } from '../../harness/world/index.js';

export const REFERENCE_DIR = fileURLToPath(new URL('../../fixtures/providers/reference/', import.meta.url));

export interface ReferenceWorld {
  booted: BootedWorld;
  provider: ProviderHandle;
  /** A host on `internet` with dig: where DNS is asked from. */
  observer: Host;
  wallet: WalletClient;
  test: TestClient;
}

/**
 * Boots a world (confirmations 1), builds the edge image the reference manifest names
 * (`oneclick/edge:latest`) if missing, and starts the reference provider from its package.
 */
export async function startReference(
  run: Run,
  options: { env?: Record<string, string>; onProgress?: (line: string) => void } = {},
): Promise<ReferenceWorld> {
  const edge = await ensureImage('edge', options.onProgress ? { onProgress: options.onProgress } : {});
  const booted = await bootWorld(run, { topology: { cluster: false }, confirmations: 1, graceBlocks: 5 });
  const { provider, wallets, test } = await populate(run, booted, {
    provider: {
      dir: REFERENCE_DIR,
      env: {
        DEPLOYER_POLL_MS: '200',
        DEPLOYER_START_BLOCK: String(booted.deployment.deployedAtBlock),
        ...options.env,
      },
      ...(options.onProgress && { onProgress: options.onProgress }),
    },
  });
  const observer = await booted.topology.addPublicHost(edge, { name: 'observer' });
  return { booted, provider, observer, wallet: wallets.providerOwner, test };
}

export { labelOf } from '../../harness/outside/index.js';

/** `count` distinct org addresses (`0x…c0de<i>`), not created through the factory: a top-up needs none. */
export function orgs(count: number, offset = 0): Address[] {
  return Array.from({ length: count }, (_, i) =>
    getAddress(numberToHex(0xc0de_0000n + BigInt(offset + i), { size: 20 })),
  );
}

/** One top-up (one package) mined, plus one block for the confirmation; returns the org's expiry block. */
export async function payOne(w: ReferenceWorld, org: Address): Promise<bigint> {
  const provider = w.booted.world.contracts.provider;
  await confirm(w.test, await topUp(w.wallet, provider, org, 1));
  await mine(w.test, 1);
  return expiryOf(w.test, provider, org);
}

/** Top-ups of every org in `list`, all in one block (manual mining), then one confirmation; returns that block. */
export async function payInOneBlock(w: ReferenceWorld, list: readonly Address[]): Promise<bigint> {
  const provider = w.booted.world.contracts.provider;
  const price = await packagePrice(w.test, provider);
  await useManualMining(w.test);
  try {
    const hashes = await sendMany(
      w.wallet,
      list.map((org) => ({
        to: provider,
        data: encodeFunctionData({ abi: ethProviderAbi, functionName: 'topUp', args: [org] }),
        value: price,
      })),
    );
    await mine(w.test, 1);
    const receipts = await Promise.all(hashes.map((hash) => confirm(w.test, hash)));
    const blocks = new Set(receipts.map((r) => r.blockNumber));
    if (blocks.size !== 1) throw new Error(`top-ups landed in ${blocks.size} blocks, not one`);
    await mine(w.test, 1);
    return receipts[0]!.blockNumber;
  } finally {
    await useAutomine(w.test);
  }
}

export interface Published {
  nid: string;
  port: number;
  expiry: bigint;
  address: string;
}

/** The org's A, SRV and TXT records as the host resolves them, or undefined while incomplete. */
export async function lookup(
  w: ReferenceWorld,
  org: Address,
  browse?: Promise<readonly string[]>,
): Promise<Published | undefined> {
  const { topology } = w.booted;
  const fqdn = fqdnOf(org, topology.dns.zone);
  // Asked from the host (on the internet bridge) over UDP: no `docker exec` per query, so polling
  // fifty orgs does not load the engine the provider under test needs.
  const p = publishedOf(fqdn, await lookupRecords(topology.dns.address, fqdn, browse));
  if (!p || p.expiry === undefined) return undefined;
  if (p.target !== fqdn) throw new Error(`SRV of ${fqdn} points at ${p.target}`);
  return { nid: p.nid, port: p.port, expiry: p.expiry, address: p.address };
}

/** `GET http://<label>.<zone>/api/v1/node` sent to `address` (port 80): the node's id, or undefined. */
export async function nodeOverHttp(
  w: ReferenceWorld,
  org: Address,
  address: string,
): Promise<string | undefined> {
  return (await nodeInfo(address, fqdnOf(org, w.booted.topology.dns.zone))).nid;
}

export { eventually } from '../helpers/eventually.js';

/** The org-node containers of the run (any state), by the deployer's labels. */
export async function orgNodes(runId: string) {
  return dockerEngine().listContainers({
    all: true,
    filters: { label: [`${RUN_LABEL}=${runId}`, 'oneclick.role=org-node'] },
  });
}
