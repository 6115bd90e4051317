/**
 * `top-ups`: Several top-ups of one org in one block (EthProvider). The first may start the
 * deployment, the others extend it; the contract's expiry after the block is the last NewTopUp's.
 */
import { decodeEventLog, encodeFunctionData } from 'viem';
import { ethProviderAbi } from '../../../contracts/index.js';
import { confirm, expiryOf, packageBlocks, packagePrice } from '../../chain/actions.js';
import { sendMany } from '../../chain/bulk.js';
import { mine, useAutomine, useManualMining } from '../../chain/mining.js';
import { count, defineStep, text } from './define.js';
import { provider } from './support/chain.js';
import { mapping, ref } from './support/forms.js';
import { servesTokens } from './support/pay.js';

declare module '../model.js' {
  interface StepForms {
    'top-ups': { org: string; count: number };
  }
}

export const topUpsStep = defineStep({
  kind: 'top-ups',
  schema: mapping(
    '`count` top-ups of one package each for one org, all in one block (EthProvider): `{ org, count }`.',
    { org: ref('name'), count: { type: 'integer', minimum: 2 } },
    ['org', 'count'],
  ),
  fields: ['org', 'count'],
  build: (step) => ({ org: text(step, 'org'), count: count(step, 'count')! }),
  run: async (ctx, s) => {
    if (servesTokens(ctx)) throw new Error('top-ups pays ether: it needs an EthProvider (currency: eth)');
    const { test, wallets } = ctx.world;
    const p = provider(ctx);
    const org = ctx.org(s.org);
    const [before, price, blocks] = await Promise.all([
      expiryOf(test, p, org),
      packagePrice(test, p),
      packageBlocks(test, p),
    ]);
    const data = encodeFunctionData({ abi: ethProviderAbi, functionName: 'topUp', args: [org] });
    await useManualMining(test);
    let receipts;
    try {
      const hashes = await sendMany(
        wallets.user,
        Array.from({ length: s.count }, () => ({ to: p, data, value: price })),
      );
      await mine(test, 1);
      receipts = await Promise.all(hashes.map((h) => confirm(test, h)));
    } finally {
      await useAutomine(test);
    }
    const block = receipts[0]!.blockNumber;
    const inOneBlock = receipts.every((r) => r.blockNumber === block);
    ctx.lastTxBlock = block;
    // In log order: each NewTopUp's expiry, the last being what the block leaves.
    const events = receipts
      .flatMap((r) => r.logs)
      .sort((a, b) => a.logIndex - b.logIndex)
      .flatMap((log) => {
        try {
          const e = decodeEventLog({ abi: ethProviderAbi, data: log.data, topics: log.topics, strict: true });
          return e.eventName === 'NewTopUp' ? [e.args.expiry] : [];
        } catch {
          return [];
        }
      });
    const start = before > block - 1n ? before : block;
    const expected = start + BigInt(s.count) * blocks;
    const after = await expiryOf(test, p, org);
    return {
      summary: `${s.count} top-ups of ${s.org} in block ${block}`,
      facts: { org, block: Number(block), expiry: after.toString() },
      check: {
        holds: inOneBlock && after === expected && events.length === s.count && events.at(-1) === expected,
        expected: `${s.count} top-ups in one block: ${s.count} NewTopUp, the last and expiryOf(org) = ${start} + ${s.count} × ${blocks} = ${expected}`,
        observed: {
          blocks: [...new Set(receipts.map((r) => Number(r.blockNumber)))],
          events: events.map(String),
          expiryAfter: after.toString(),
        },
      },
    };
  },
  order: 36,
});
