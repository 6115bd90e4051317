/**
 * Property: for random sequences of top-ups, cancels, suspends, mined blocks and withdrawals, the
 * provider contracts and the plain TypeScript model (model.ts) agree on every expiry, deployment
 * owner, active count, realized/withdrawable revenue and every balance, to the wei, after every step.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseEventLogs, zeroAddress, type Address, type Hash } from 'viem';
import { ethProviderAbi, tokenProviderAbi } from '../../contracts/index.js';
import {
  activeSubscribers,
  approve,
  cancel,
  deploymentOf,
  realizedRevenue,
  suspend,
  tokenBalance,
  topUpWithValue,
  withdraw,
  withdrawable,
} from '../../harness/chain/actions.js';
import { ROLE } from '../../harness/chain/accounts.js';
import type { WalletClient } from '../../harness/chain/clients.js';
import { revertTo, snapshot } from '../../harness/chain/mining.js';
import { expectRevert, gasCost, mineTo, orgAddress, useWorld, type World } from './fixture.js';
import * as model from './model.js';

const BLOCKS = 5n; // short packages: expiries and boundaries are crossed often
const ETH_PRICE = 1_000_003n;
const TOKEN_PRICE = 1_009n;
const RUNS = Number(process.env.ONECLICK_PROPERTY_RUNS ?? 25);
const MAX_ACTIONS = 20;

const world = useWorld({
  deploy: {
    eth: { pricePerBlock: ETH_PRICE, packageBlocks: BLOCKS },
    token: { pricePerBlock: TOKEN_PRICE, packageBlocks: BLOCKS },
    // The provider owner pays for deployments too.
    fund: { accounts: [ROLE.providerOwner, ROLE.orgOwner, ROLE.user, ROLE.stranger] },
  },
});

type Action =
  | { kind: 'topUp'; payer: number; org: number; packages: number; partial: boolean }
  | { kind: 'cancel'; caller: number; org: number }
  | { kind: 'suspend'; caller: number; org: number }
  | { kind: 'withdraw'; caller: number };

type Command =
  | Action
  | { kind: 'mine'; blocks: number }
  /** Mines so that `then` lands in block expiry(org) + offset, then runs it on that org: boundaries on purpose. */
  | { kind: 'atExpiry'; org: number; offset: number; then: Action };

const ORGS = [orgAddress(1), orgAddress(2), orgAddress(3)];
/** Actor indexes 0..2 pay for deployments; 3 is the provider owner (who may pay too). */
const PROVIDER_OWNER = 3;
/** RIGHTFUL = whoever may do it: the org's deployment owner for cancel, the provider owner otherwise. */
const RIGHTFUL = -1;
const actor = fc.integer({ min: 0, max: 3 });
const caller = fc.oneof({ weight: 3, arbitrary: fc.constant(RIGHTFUL) }, { weight: 2, arbitrary: actor });
const org = fc.integer({ min: 0, max: ORGS.length - 1 });

const topUpCmd = fc.record({
  kind: fc.constant('topUp' as const),
  payer: actor,
  org,
  packages: fc.oneof(
    { weight: 1, arbitrary: fc.constant(0) },
    { weight: 6, arbitrary: fc.integer({ min: 1, max: 3 }) },
  ),
  partial: fc.oneof(
    { weight: 5, arbitrary: fc.constant(false) },
    { weight: 1, arbitrary: fc.constant(true) },
  ),
});
const cancelCmd = fc.record({ kind: fc.constant('cancel' as const), caller, org });
const suspendCmd = fc.record({ kind: fc.constant('suspend' as const), caller, org });
const withdrawCmd = fc.record({ kind: fc.constant('withdraw' as const), caller });
const mineCmd = fc.record({
  kind: fc.constant('mine' as const),
  blocks: fc.integer({ min: 1, max: Number(BLOCKS) }),
});
const atExpiryCmd = fc
  .tuple(org, fc.integer({ min: -1, max: 1 }), fc.oneof(topUpCmd, cancelCmd, suspendCmd, withdrawCmd))
  .map(([o, offset, then]): Command => ({
    kind: 'atExpiry',
    org: o,
    offset,
    then: 'org' in then ? { ...then, org: o } : then,
  }));

const command: fc.Arbitrary<Command> = fc.oneof(
  { weight: 5, arbitrary: topUpCmd },
  { weight: 3, arbitrary: cancelCmd },
  { weight: 2, arbitrary: suspendCmd },
  { weight: 2, arbitrary: mineCmd },
  { weight: 3, arbitrary: atExpiryCmd },
  { weight: 2, arbitrary: withdrawCmd },
);

interface Rig {
  currency: 'eth' | 'token';
  provider: Address;
  actors: WalletClient[];
  /** Balance in the provider's currency. */
  balanceOf(who: Address): Promise<bigint>;
  topUp(wallet: WalletClient, org: Address, amount: bigint): Promise<Hash>;
}

function rigFor(w: World, currency: 'eth' | 'token'): Rig {
  const actors = [w.orgOwner, w.user, w.stranger, w.providerOwner];
  if (currency === 'eth') {
    return {
      currency,
      provider: w.d.ethProvider,
      actors,
      balanceOf: (who) => w.test.getBalance({ address: who }),
      topUp: (wallet, org, amount) => topUpWithValue(wallet, w.d.ethProvider, org, amount),
    };
  }
  return {
    currency,
    provider: w.d.tokenProvider,
    actors,
    balanceOf: (who) => tokenBalance(w.test, w.d.stablecoin, who),
    topUp: (wallet, org, amount) =>
      wallet.writeContract({
        address: w.d.tokenProvider,
        abi: tokenProviderAbi,
        functionName: 'topUp',
        args: [org, amount],
      }),
  };
}

function deploymentOwnerIndex(rig: Rig, m: model.ProviderModel, org: Address): number {
  const owner = m.deployments.get(org)?.owner;
  return Math.max(
    0,
    rig.actors.findIndex((a) => a.account.address === owner),
  );
}

/** Runs one command on chain and in the model, checking the outcome (revert name, payouts, event). */
async function step(
  w: World,
  rig: Rig,
  m: model.ProviderModel,
  expected: Map<Address, bigint>,
  cmd: Command,
) {
  if (cmd.kind === 'mine') {
    await w.test.mine({ blocks: cmd.blocks });
    return;
  }
  if (cmd.kind === 'atExpiry') {
    const expiry = model.expiryOf(m, ORGS[cmd.org]!);
    if (expiry > 0n) await mineTo(w.test, expiry + BigInt(cmd.offset) - 1n);
    return act(w, rig, m, expected, cmd.then);
  }
  return act(w, rig, m, expected, cmd);
}

async function act(w: World, rig: Rig, m: model.ProviderModel, expected: Map<Address, bigint>, cmd: Action) {
  const block = (await w.test.getBlockNumber({ cacheTime: 0 })) + 1n; // automine: the tx's block
  let wallet: WalletClient;
  let outcome: model.Outcome;
  let send: () => Promise<Hash>;
  let paid = 0n;
  switch (cmd.kind) {
    case 'topUp': {
      wallet = rig.actors[cmd.payer]!;
      paid = BigInt(cmd.packages) * model.packagePrice(m) + (cmd.partial ? m.pricePerBlock : 0n);
      outcome = model.topUp(m, block, wallet.account.address, ORGS[cmd.org]!, paid);
      send = () => rig.topUp(wallet, ORGS[cmd.org]!, paid);
      break;
    }
    case 'cancel':
      wallet =
        rig.actors[cmd.caller === RIGHTFUL ? deploymentOwnerIndex(rig, m, ORGS[cmd.org]!) : cmd.caller]!;
      outcome = model.cancel(m, block, wallet.account.address, ORGS[cmd.org]!);
      send = () => cancel(wallet, rig.provider, ORGS[cmd.org]!);
      break;
    case 'suspend':
      wallet = rig.actors[cmd.caller === RIGHTFUL ? PROVIDER_OWNER : cmd.caller]!;
      outcome = model.suspend(m, block, wallet.account.address, ORGS[cmd.org]!);
      send = () => suspend(wallet, rig.provider, ORGS[cmd.org]!);
      break;
    case 'withdraw':
      wallet = rig.actors[cmd.caller === RIGHTFUL ? PROVIDER_OWNER : cmd.caller]!;
      outcome = model.withdraw(m, block, wallet.account.address);
      send = () => withdraw(wallet, rig.provider);
      break;
  }
  if ('error' in outcome) {
    // Gas estimation runs the call in the pending block and throws: nothing is sent or mined.
    await expectRevert(send(), outcome.error);
    return;
  }
  const receipt = await w.send(send());
  expect(receipt.blockNumber, 'transaction mined in the predicted block').toBe(block);
  const payer = wallet.account.address;
  const spent = paid + (rig.currency === 'eth' ? gasCost(receipt) : 0n);
  expected.set(payer, expected.get(payer)! - spent);
  expected.set(rig.provider, expected.get(rig.provider)! + paid);
  for (const { to, amount } of outcome.payouts) {
    expected.set(to as Address, expected.get(to as Address)! + amount);
    expected.set(rig.provider, expected.get(rig.provider)! - amount);
  }
  if (outcome.event) {
    const events = parseEventLogs({ abi: ethProviderAbi, logs: receipt.logs, eventName: 'NewTopUp' });
    expect(events.map((e) => e.args)).toEqual([{ org: outcome.event.org, expiry: outcome.event.expiry }]);
  }
}

/** Compares every observable of the contract with the model at the chain head. */
async function agree(w: World, rig: Rig, m: model.ProviderModel, expected: Map<Address, bigint>) {
  const head = await w.test.getBlockNumber({ cacheTime: 0 });
  const [deployments, active, realized, free, balances] = await Promise.all([
    Promise.all(ORGS.map((o) => deploymentOf(w.test, rig.provider, o))),
    activeSubscribers(w.test, rig.provider),
    realizedRevenue(w.test, rig.provider),
    withdrawable(w.test, rig.provider),
    Promise.all([...expected.keys()].map((who) => rig.balanceOf(who))),
  ]);
  expect(deployments).toEqual(
    ORGS.map((o) => {
      const d = m.deployments.get(o);
      return d
        ? { owner: d.owner, start: d.start, expiry: d.expiry }
        : { owner: zeroAddress, start: 0n, expiry: 0n };
    }),
  );
  expect(active, 'activeSubscribers').toBe(model.activeSubscribers(m, head));
  expect(realized, 'realizedRevenue').toBe(model.realizedRevenue(m, head));
  expect(free, 'withdrawable').toBe(model.withdrawable(m, head));
  expect(Object.fromEntries([...expected.keys()].map((who, i) => [who, balances[i]]))).toEqual(
    Object.fromEntries(expected),
  );
  expect(expected.get(rig.provider), 'provider balance = model balance').toBe(m.balance);
}

async function checkAgainstModel(rig: Rig) {
  const w = world();
  const owner = w.providerOwner.account.address;
  const price = rig.currency === 'eth' ? ETH_PRICE : TOKEN_PRICE;
  await fc.assert(
    fc.asyncProperty(
      fc.array(command, { minLength: MAX_ACTIONS / 2, maxLength: MAX_ACTIONS, size: 'max' }),
      async (commands) => {
        const snap = await snapshot(w.test);
        try {
          const m = model.newProvider(owner, price, BLOCKS);
          const holders = [...rig.actors.map((a) => a.account.address), rig.provider];
          const expected = new Map(
            await Promise.all(holders.map(async (h) => [h, await rig.balanceOf(h)] as const)),
          );
          m.balance = expected.get(rig.provider)!;
          for (const cmd of commands) {
            await step(w, rig, m, expected, cmd);
            await agree(w, rig, m, expected);
          }
        } finally {
          await revertTo(w.test, snap);
        }
      },
    ),
    { numRuns: RUNS },
  );
}

describe('provider contracts agree with the TypeScript model', () => {
  it(`EthProvider: ${RUNS} random runs of up to ${MAX_ACTIONS} actions`, async () => {
    await checkAgainstModel(rigFor(world(), 'eth'));
  });

  it(`TokenProvider: ${RUNS} random runs of up to ${MAX_ACTIONS} actions`, async () => {
    const w = world();
    for (const a of [w.orgOwner, w.user, w.stranger, w.providerOwner]) {
      await w.send(approve(a, w.d.stablecoin, w.d.tokenProvider, 2n ** 256n - 1n));
    }
    await checkAgainstModel(rigFor(w, 'token'));
  });
});
