/** `burst`: Top-ups of many fresh orgs in one block (what `expect: burst-served` then judges). */
import { encodeFunctionData } from 'viem';
import { ethProviderAbi } from '../../../contracts/index.js';
import { confirm, packagePrice } from '../../chain/actions.js';
import { sendMany } from '../../chain/bulk.js';
import { mine, useAutomine, useManualMining } from '../../chain/mining.js';
import { derivedOrgAddress } from '../seed.js';
import { count, defineStep } from './define.js';
import { provider } from './support/chain.js';
import { ref } from './support/forms.js';

declare module '../model.js' {
  interface StepForms {
    burst: { count?: number };
  }
}

export const burstStep = defineStep({
  kind: 'burst',
  schema: {
    description:
      "Top-ups of `count` fresh orgs in one block: bare `burst` (the profile's count), `burst: 10` or `{ count }`.",
    type: ['null', 'integer', 'object'],
    if: { type: 'integer' },
    then: { minimum: 1 },
    else: {
      if: { type: 'object' },
      then: {
        type: 'object',
        additionalProperties: false,
        properties: { count: { type: 'integer', minimum: 1 }, proves: ref('proves') },
      },
    },
  },
  fields: ['count?'],
  scalar: 'count',
  bare: true,
  declare: (step, declarations) => void declarations.bursts.push(step.index),
  build: (step) => {
    const n = count(step, 'count');
    return n === undefined ? {} : { count: n };
  },
  run: async (ctx, s) => {
    const w = ctx.world;
    const n = s.count ?? w.profile.burst;
    const orgs = Array.from({ length: n }, (_, i) =>
      derivedOrgAddress(w.seed, `burst-${s.index}`, String(i)),
    );
    const price = await packagePrice(w.test, provider(ctx));
    await useManualMining(w.test);
    let block: bigint;
    try {
      const hashes = await sendMany(
        w.wallets.user,
        orgs.map((org) => ({
          to: provider(ctx),
          data: encodeFunctionData({ abi: ethProviderAbi, functionName: 'topUp', args: [org] }),
          value: price,
        })),
      );
      await mine(w.test, 1);
      const receipts = await Promise.all(hashes.map((h) => confirm(w.test, h)));
      const blocks = new Set(receipts.map((r) => r.blockNumber));
      if (blocks.size !== 1) throw new Error(`the burst landed in ${blocks.size} blocks, not one`);
      block = receipts[0]!.blockNumber;
    } finally {
      await useAutomine(w.test);
    }
    ctx.burst = orgs;
    ctx.lastTxBlock = block;
    return { summary: `${n} top-ups in block ${block}`, facts: { count: n, block: Number(block) } };
  },
  order: 70,
});
