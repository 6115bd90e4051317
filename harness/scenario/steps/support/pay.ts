/** How a scenario's user pays for packages: ether to an EthProvider, tokens to a TokenProvider. */
import { BaseError, ContractFunctionRevertedError, type Address, type Hash } from 'viem';
import {
  approve,
  confirm,
  expiryOf,
  packagePrice,
  tokenOf,
  topUp,
  topUpWithEth,
  topUpWithPermit,
  topUpWithToken,
} from '../../../chain/actions.js';
import type { ScenarioContext } from '../../context.js';
import { count, text, type RawStep, type StepOutcome } from '../define.js';
import { provider, topUpCheck } from './chain.js';
import { orgStep } from './forms.js';

/** The ways a TokenProvider is paid: an allowance then `topUp`, a permit, or ether swapped for tokens. */
export type TokenPayment = 'allowance' | 'permit' | 'swap';

/** Whether the scenario's provider contract is the TokenProvider (`currency: token`). */
export const servesTokens = (ctx: ScenarioContext): boolean =>
  provider(ctx) === ctx.world.booted.deployment.tokenProvider;

/** A top-up as the scenario's currency pays it: ether, or tokens after an allowance. */
export async function pay(ctx: ScenarioContext, org: Address, packages: number): Promise<Hash> {
  return servesTokens(ctx)
    ? payTokens(ctx, org, packages, 'allowance')
    : topUp(ctx.world.wallets.user, provider(ctx), org, packages);
}

/** A TokenProvider top-up paid `how`. */
export async function payTokens(
  ctx: ScenarioContext,
  org: Address,
  packages: number,
  how: TokenPayment,
): Promise<Hash> {
  const { test, wallets } = ctx.world;
  const p = provider(ctx);
  if (how === 'permit') return topUpWithPermit(wallets.user, p, org, packages);
  if (how === 'swap') return topUpWithEth(wallets.user, p, org, packages);
  const amount = (await packagePrice(test, p)) * BigInt(packages);
  await confirm(test, await approve(wallets.user, await tokenOf(test, p), p, amount));
  return topUpWithToken(wallets.user, p, org, packages);
}

/** A top-up step of a TokenProvider paid `how` (permit-top-up, swap-top-up): its form and run. */
export function tokenTopUpStep(how: Exclude<TokenPayment, 'allowance'>, description: string) {
  return {
    schema: orgStep(description, { packages: { type: 'integer', minimum: 1 } }),
    fields: ['org', 'packages?'],
    scalar: 'org',
    build: (step: RawStep) => ({ org: text(step, 'org'), packages: count(step, 'packages') ?? 1 }),
    run: async (ctx: ScenarioContext, s: { org: string; packages: number }): Promise<StepOutcome> => {
      if (!servesTokens(ctx))
        throw new Error(`a ${how} top-up pays a TokenProvider: the scenario needs currency: token`);
      return paidTopUp(ctx, s, (org) => payTokens(ctx, org, s.packages, how), `${how} top-up`);
    },
  };
}

/** Pays for an org's packages with `payment`, confirms it and checks the contract's arithmetic. */
export async function paidTopUp(
  ctx: ScenarioContext,
  s: { org: string; packages: number },
  payment: (org: Address) => Promise<Hash>,
  what: string,
): Promise<StepOutcome> {
  const org = ctx.org(s.org);
  const before = await expiryOf(ctx.world.test, provider(ctx), org);
  const receipt = await payment(org)
    .then((hash) => confirm(ctx.world.test, hash))
    .catch((error: unknown) => revertOf(error));
  if (typeof receipt === 'string') {
    // A provider contract that refuses a valid payment fails the step's requirement, visibly.
    return {
      summary: `${what} ${s.org} (${s.packages} package${s.packages === 1 ? '' : 's'}) reverted`,
      facts: { org },
      check: {
        holds: false,
        failure: `the ${what} of ${s.packages} whole package${s.packages === 1 ? '' : 's'} reverted with ${receipt}`,
        expected: `the ${what} of ${s.packages} whole package${s.packages === 1 ? '' : 's'} is accepted`,
        observed: { reverted: receipt },
      },
    };
  }
  ctx.lastTxBlock = receipt.blockNumber;
  const check = await topUpCheck(ctx, org, s.packages, before, receipt);
  return {
    summary: `${what} ${s.org} (${s.packages} package${s.packages === 1 ? '' : 's'}) in block ${receipt.blockNumber}`,
    facts: {
      org,
      tx: receipt.transactionHash,
      block: Number(receipt.blockNumber),
      expiry: check.observed.expiryAfter,
    },
    check,
  };
}

/** A reverted payment's custom error (or first message line); anything else is rethrown. */
function revertOf(error: unknown): string {
  const reverted =
    error instanceof BaseError ? error.walk((e) => e instanceof ContractFunctionRevertedError) : null;
  if (!(reverted instanceof ContractFunctionRevertedError)) throw error;
  return reverted.data?.errorName ?? reverted.shortMessage;
}
