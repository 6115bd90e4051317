/** `malformed-log`: NewTopUp-topic logs at the provider's own address that do not decode: no org topic, short data. */
import { concatHex, toEventSelector, type Hex } from 'viem';
import { confirm } from '../../chain/actions.js';
import { defineStep } from './define.js';
import { provider } from './support/chain.js';
import { bare } from './support/forms.js';

declare module '../model.js' {
  interface StepForms {
    'malformed-log': Record<never, never>;
  }
}

export const malformedLogStep = defineStep({
  kind: 'malformed-log',
  schema: bare('A log that looks like NewTopUp but is malformed (must be ignored).'),
  fields: [],
  bare: true,
  build: () => ({}),
  run: async (ctx) => {
    const w = ctx.world;
    const p = provider(ctx);
    const code = await w.test.getCode({ address: p });
    if (!code) throw new Error('the provider contract has no code');
    const topic = toEventSelector('NewTopUp(address,uint64)');
    const push32 = (word: Hex) => concatHex(['0x7f', word]);
    const bytecode = concatHex([push32(topic), '0x60006000a1', '0x6001', push32(topic), '0x60056000a200']);
    await w.test.setCode({ address: p, bytecode });
    try {
      const receipt = await confirm(
        w.test,
        await w.wallets.user.sendTransaction({ to: p, data: '0x', gas: 100_000n }),
      );
      ctx.lastTxBlock = receipt.blockNumber;
      return {
        summary: `two malformed NewTopUp logs at the provider address in block ${receipt.blockNumber}`,
        facts: { block: Number(receipt.blockNumber) },
      };
    } finally {
      await w.test.setCode({ address: p, bytecode: code });
    }
  },
  order: 90,
});
