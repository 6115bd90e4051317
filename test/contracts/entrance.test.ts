import { describe, expect, it } from 'vitest';
import { getAddress, parseEventLogs, zeroAddress, zeroHash, type Address } from 'viem';
import { entranceAbi, ethProviderAbi, orgAbi, orgFactoryAbi } from '../../contracts/index.js';
import {
  anchor,
  cancel,
  createOrg,
  createdOrg,
  delistProvider,
  deploymentOf,
  listProvider,
  listedProviders,
  orgOwner,
  ranking,
  registerOrgThenTopUp,
  setOrgOwner,
  topUp,
} from '../../harness/chain/actions.js';
import { DEFAULT_TERMS, deployEthProvider } from '../../harness/chain/deploy.js';
import { ethBalance, expectRevert, gasCost, orgAddress, useWorld, type World } from './fixture.js';

const world = useWorld();

/** The certificate fields of a provider listed without a certificate. */
const UNCERTIFIED = { certified: false, certifier: zeroAddress, certifiedUntil: 0n, certificate: zeroHash };

async function newEthProvider(w: World, pricePerBlock: bigint, packageBlocks: bigint): Promise<Address> {
  return deployEthProvider(w.send, w.providerOwner, w.providerOwner.account.address, {
    pricePerBlock,
    packageBlocks,
  });
}

describe('Entrance listing', () => {
  it('deployAll lists the ether and the token provider with their live terms', async () => {
    const { d, test } = world();
    expect(await listedProviders(test, d.entrance)).toEqual([
      {
        provider: d.ethProvider,
        currency: zeroAddress,
        name: DEFAULT_TERMS.eth.name,
        endpoint: DEFAULT_TERMS.eth.endpoint,
        packagePrice: DEFAULT_TERMS.eth.pricePerBlock * DEFAULT_TERMS.eth.packageBlocks,
        packageBlocks: DEFAULT_TERMS.eth.packageBlocks,
        activeSubscribers: 0n,
        ...UNCERTIFIED,
      },
      {
        provider: d.tokenProvider,
        currency: d.stablecoin,
        name: DEFAULT_TERMS.token.name,
        endpoint: DEFAULT_TERMS.token.endpoint,
        packagePrice: DEFAULT_TERMS.token.pricePerBlock * DEFAULT_TERMS.token.packageBlocks,
        packageBlocks: DEFAULT_TERMS.token.packageBlocks,
        activeSubscribers: 0n,
        ...UNCERTIFIED,
      },
    ]);
  });

  it('list emits ProviderListed; listing again updates name and endpoint without a duplicate', async () => {
    const w = world();
    const provider = await newEthProvider(w, 7n, 3n);
    const receipt = await w.send(
      listProvider(w.providerOwner, w.d.entrance, provider, 'seven', 'https://a.example'),
    );
    const events = parseEventLogs({ abi: entranceAbi, logs: receipt.logs, eventName: 'ProviderListed' });
    expect(events.map((e) => e.args)).toEqual([{ provider, name: 'seven', endpoint: 'https://a.example' }]);
    await w.send(listProvider(w.providerOwner, w.d.entrance, provider, 'seven b', 'https://b.example'));
    const listed = (await listedProviders(w.test, w.d.entrance)).filter((p) => p.provider === provider);
    expect(listed).toMatchObject([
      { name: 'seven b', endpoint: 'https://b.example', packagePrice: 21n, packageBlocks: 3n },
    ]);
  });

  it('only the provider owner may list (NotProviderOwner); an account without code is NotAProvider; empty fields EmptyField', async () => {
    const w = world();
    const provider = await newEthProvider(w, 1n, 1n);
    await expectRevert(listProvider(w.stranger, w.d.entrance, provider, 'x', 'y'), 'NotProviderOwner');
    const eoa = w.stranger.account.address;
    await expectRevert(listProvider(w.stranger, w.d.entrance, eoa, 'x', 'y'), 'NotAProvider', [eoa]);
    await expectRevert(listProvider(w.providerOwner, w.d.entrance, provider, '', 'y'), 'EmptyField');
    await expectRevert(listProvider(w.providerOwner, w.d.entrance, provider, 'x', ''), 'EmptyField');
  });

  it('delist removes the provider (ProviderDelisted); strangers get NotProviderOwner; unlisted NotListed', async () => {
    const { d, providerOwner, stranger, send, test } = world();
    await expectRevert(delistProvider(stranger, d.entrance, d.ethProvider), 'NotProviderOwner');
    const receipt = await send(delistProvider(providerOwner, d.entrance, d.ethProvider));
    const events = parseEventLogs({ abi: entranceAbi, logs: receipt.logs, eventName: 'ProviderDelisted' });
    expect(events.map((e) => e.args)).toEqual([{ provider: d.ethProvider }]);
    expect((await listedProviders(test, d.entrance)).map((p) => p.provider)).toEqual([d.tokenProvider]);
    expect(
      await test.readContract({
        address: d.entrance,
        abi: entranceAbi,
        functionName: 'isListed',
        args: [d.ethProvider],
      }),
    ).toBe(false);
    await expectRevert(delistProvider(providerOwner, d.entrance, d.ethProvider), 'NotListed', [
      d.ethProvider,
    ]);
  });

  it('ranking(currency): cheapest package first, equal prices by more active subscribers, then listing order; delist keeps the order', async () => {
    const w = world();
    const { d, providerOwner, user, send, test } = w;
    // Package prices: cheap 10, tieA 20 (0 subscribers), tieB 20 (2 subscribers), tieC 20 (0), dear 30.
    const dear = await newEthProvider(w, 3n, 10n);
    const tieA = await newEthProvider(w, 2n, 10n);
    const tieB = await newEthProvider(w, 4n, 5n);
    const cheap = await newEthProvider(w, 1n, 10n);
    const tieC = await newEthProvider(w, 1n, 20n);
    for (const [p, name] of [
      [dear, 'dear'],
      [tieA, 'tieA'],
      [tieB, 'tieB'],
      [cheap, 'cheap'],
      [tieC, 'tieC'],
    ] as const) {
      await send(listProvider(providerOwner, d.entrance, p, name, `https://${name}.example`));
    }
    await send(topUp(user, tieB, orgAddress(1), 1));
    await send(topUp(user, tieB, orgAddress(2), 1));
    await send(delistProvider(providerOwner, d.entrance, d.ethProvider));
    // Delisting keeps the listing order of the others.
    expect((await listedProviders(test, d.entrance)).map((p) => p.provider)).toEqual([
      d.tokenProvider,
      dear,
      tieA,
      tieB,
      cheap,
      tieC,
    ]);
    const ranked = await ranking(test, d.entrance, zeroAddress);
    expect(ranked.map((p) => p.name)).toEqual(['cheap', 'tieB', 'tieA', 'tieC', 'dear']);
    expect(ranked.map((p) => p.packagePrice)).toEqual([10n, 20n, 20n, 20n, 30n]);
    expect(ranked[1]?.activeSubscribers).toBe(2n);
    const tokenRanked = await ranking(test, d.entrance, d.stablecoin);
    expect(tokenRanked.map((p) => p.provider)).toEqual([d.tokenProvider]);
    expect(await ranking(test, d.entrance, user.account.address)).toEqual([]);
  });
});

describe('Entrance.registerOrgThenTopUp', () => {
  it('creates an org owned by the caller and a deployment owned by the caller, in one transaction', async () => {
    const { d, user, send, test } = world();
    const price = DEFAULT_TERMS.eth.pricePerBlock * DEFAULT_TERMS.eth.packageBlocks;
    const { result: predicted } = await test.simulateContract({
      account: user.account,
      address: d.entrance,
      abi: entranceAbi,
      functionName: 'registerOrgThenTopUp',
      args: [d.ethProvider],
      value: 2n * price,
      blockTag: 'pending',
    });
    const receipt = await send(registerOrgThenTopUp(user, d.entrance, d.ethProvider, 2));
    const org = createdOrg(receipt);
    expect(org).toBe(predicted);
    expect(await orgOwner(test, org)).toBe(user.account.address);
    const expiry = receipt.blockNumber + 2n * DEFAULT_TERMS.eth.packageBlocks;
    expect(await deploymentOf(test, d.ethProvider, org)).toEqual({
      owner: user.account.address,
      start: receipt.blockNumber,
      expiry,
    });
    const created = parseEventLogs({ abi: orgFactoryAbi, logs: receipt.logs, eventName: 'OrgCreated' });
    expect(created.map((e) => e.args)).toEqual([{ org, owner: user.account.address }]);
    const topUps = parseEventLogs({ abi: ethProviderAbi, logs: receipt.logs, eventName: 'NewTopUp' });
    expect(topUps.map((e) => e.args)).toEqual([{ org, expiry }]);
  });

  it('the caller (not the Entrance) can cancel the registered deployment and receives the refund', async () => {
    const w = world();
    const { d, user, send } = w;
    const paid = await send(registerOrgThenTopUp(user, d.entrance, d.ethProvider, 1));
    const org = createdOrg(paid);
    const before = await ethBalance(w, user.account.address);
    const stop = await send(cancel(user, d.ethProvider, org));
    const refund =
      (paid.blockNumber + DEFAULT_TERMS.eth.packageBlocks - stop.blockNumber) *
      DEFAULT_TERMS.eth.pricePerBlock;
    expect(await ethBalance(w, user.account.address)).toBe(before + refund - gasCost(stop));
    expect(await ethBalance(w, d.entrance)).toBe(0n);
  });

  it('reverts NotListed for unlisted providers, NotAnEthProvider for token providers, InvalidAmount for partial packages', async () => {
    const w = world();
    const { d, user } = w;
    const unlisted = await newEthProvider(w, 1n, 1n);
    await expectRevert(registerOrgThenTopUp(user, d.entrance, unlisted, 1), 'NotListed', [unlisted]);
    const value = (n: bigint) =>
      user.writeContract({
        address: d.entrance,
        abi: entranceAbi,
        functionName: 'registerOrgThenTopUp',
        args: [d.ethProvider],
        value: n,
      });
    await expectRevert(value(0n), 'InvalidAmount');
    await expectRevert(value(DEFAULT_TERMS.eth.pricePerBlock), 'InvalidAmount');
    await expectRevert(
      user.writeContract({
        address: d.entrance,
        abi: entranceAbi,
        functionName: 'registerOrgThenTopUp',
        args: [d.tokenProvider],
        value: 1n,
      }),
      'NotAnEthProvider',
      [d.tokenProvider],
    );
  });
});

describe('Org and OrgFactory', () => {
  it('createOrg emits OrgCreated(org, owner) and the org reports its owner', async () => {
    const { d, user, orgOwner: owner, send, test } = world();
    const receipt = await send(createOrg(user, d.orgFactory, owner.account.address));
    const org = createdOrg(receipt);
    const events = parseEventLogs({ abi: orgFactoryAbi, logs: receipt.logs, eventName: 'OrgCreated' });
    expect(events.map((e) => e.args)).toEqual([{ org, owner: owner.account.address }]);
    expect(await orgOwner(test, org)).toBe(owner.account.address);
    await expectRevert(createOrg(user, d.orgFactory, zeroAddress), 'ZeroAddress');
  });

  it('anchor by the owner emits Anchored(id, tag, multihash); anyone else gets NotOwner', async () => {
    const { d, orgOwner: owner, stranger, send } = world();
    const org = createdOrg(await send(createOrg(owner, d.orgFactory)));
    const id = `0x${'ab'.repeat(32)}` as const;
    const multihash = `0x1220${'cd'.repeat(32)}` as const;
    const receipt = await send(anchor(owner, org, id, 7, multihash));
    const events = parseEventLogs({ abi: orgAbi, logs: receipt.logs, eventName: 'Anchored' });
    expect(events.map((e) => e.args)).toEqual([{ id, tag: 7, multihash }]);
    expect(getAddress(events[0]!.address)).toBe(org);
    await expectRevert(anchor(stranger, org, id, 7, multihash), 'NotOwner');
  });

  it('setOwner hands the org over (OwnerChanged); the old owner loses it; the zero address is rejected', async () => {
    const { d, orgOwner: owner, stranger, send, test } = world();
    const org = createdOrg(await send(createOrg(owner, d.orgFactory)));
    await expectRevert(setOrgOwner(stranger, org, stranger.account.address), 'NotOwner');
    await expectRevert(setOrgOwner(owner, org, zeroAddress), 'ZeroAddress');
    const receipt = await send(setOrgOwner(owner, org, stranger.account.address));
    const events = parseEventLogs({ abi: orgAbi, logs: receipt.logs, eventName: 'OwnerChanged' });
    expect(events.map((e) => e.args)).toEqual([
      { previousOwner: owner.account.address, newOwner: stranger.account.address },
    ]);
    expect(await orgOwner(test, org)).toBe(stranger.account.address);
    await expectRevert(anchor(owner, org, `0x${'00'.repeat(32)}`, 0, '0x'), 'NotOwner');
    await send(anchor(stranger, org, `0x${'00'.repeat(32)}`, 0, '0x'));
  });
});
