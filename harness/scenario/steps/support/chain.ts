/** What the chain steps share: the provider contract, the head, the arithmetic of a top-up. */
import { decodeEventLog, type Address, type TransactionReceipt } from 'viem';
import { ethProviderAbi } from '../../../../contracts/index.js';
import { cancel, confirm, expiryOf, packageBlocks, suspend } from '../../../chain/actions.js';
import type { ScenarioContext } from '../../context.js';
import type { StepCheck, StepOutcome } from '../define.js';

export const provider = (ctx: ScenarioContext): Address => ctx.world.booted.world.contracts.provider;

export async function head(ctx: ScenarioContext): Promise<bigint> {
  return ctx.world.test.getBlockNumber({ cacheTime: 0 });
}

function newTopUpOf(receipt: TransactionReceipt, org: Address): bigint | undefined {
  for (const log of receipt.logs) {
    try {
      const e = decodeEventLog({ abi: ethProviderAbi, data: log.data, topics: log.topics, strict: true });
      if (e.eventName === 'NewTopUp' && e.args.org.toLowerCase() === org.toLowerCase()) return e.args.expiry;
    } catch {
      // another contract's event
    }
  }
  return undefined;
}

/** The contract arithmetic of a top-up: new deployments start at the block, live ones extend. */
export async function topUpCheck(
  ctx: ScenarioContext,
  org: Address,
  packages: number,
  before: bigint,
  receipt: TransactionReceipt,
): Promise<StepCheck> {
  const p = provider(ctx);
  const blocks = await packageBlocks(ctx.world.test, p);
  const block = receipt.blockNumber;
  const live = before > block - 1n;
  const expected = (live ? before : block) + BigInt(packages) * blocks;
  const after = await expiryOf(ctx.world.test, p, org);
  const event = newTopUpOf(receipt, org);
  const holds = after === expected && event === expected;
  return {
    holds,
    ...(!holds && {
      failure: `expiryOf(org) = ${after} and NewTopUp(org, ${event ?? 'none'}), expected ${expected} (${live ? `expiry ${before}` : `block ${block}`} + ${packages} × ${blocks})`,
    }),
    expected: live
      ? `expiry ${before} + ${packages} × ${blocks} = ${expected}, and NewTopUp(org, ${expected})`
      : `block ${block} + ${packages} × ${blocks} = ${expected}, and NewTopUp(org, ${expected})`,
    observed: {
      block: Number(block),
      expiryBefore: before.toString(),
      expiryAfter: after.toString(),
      event: event?.toString() ?? 'none',
      extension: live,
    },
  };
}

/** cancel (by the org owner) or suspend (by the provider owner): the deployment ends in that block. */
export async function stopDeployment(
  ctx: ScenarioContext,
  how: 'cancel' | 'suspend',
  name: string,
): Promise<StepOutcome> {
  const org = ctx.org(name);
  const w = ctx.world;
  const wallet = how === 'cancel' ? w.wallets.user : w.wallets.providerOwner;
  const receipt = await confirm(
    w.test,
    await (how === 'cancel' ? cancel : suspend)(wallet, provider(ctx), org),
  );
  ctx.lastTxBlock = receipt.blockNumber;
  const after = await expiryOf(w.test, provider(ctx), org);
  let stoppedAt: bigint | undefined;
  for (const log of receipt.logs) {
    try {
      const e = decodeEventLog({ abi: ethProviderAbi, data: log.data, topics: log.topics, strict: true });
      if (e.eventName === 'DeploymentStopped') stoppedAt = BigInt(e.args.atBlock);
    } catch {
      // not ours
    }
  }
  const holds = after <= receipt.blockNumber && stoppedAt === receipt.blockNumber;
  return {
    summary: `${how} ${name} in block ${receipt.blockNumber}`,
    facts: { org, block: Number(receipt.blockNumber) },
    check: {
      holds,
      ...(!holds && {
        failure: `after ${how} in block ${receipt.blockNumber}: expiryOf(org) = ${after} (must be <= ${receipt.blockNumber}), DeploymentStopped at ${stoppedAt ?? 'none'}`,
      }),
      expected: `the deployment ends at block ${receipt.blockNumber} and DeploymentStopped(org, ${receipt.blockNumber}) is emitted`,
      observed: { expiryAfter: after.toString(), stoppedAt: stoppedAt?.toString() ?? 'none' },
    },
  };
}
