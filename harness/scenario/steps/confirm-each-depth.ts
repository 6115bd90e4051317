/**
 * `confirm-each-depth`: `confirm` one block at a time, judging at every depth the last transaction
 * is not yet confirmed at (0 … confirmations − 1) that a condition never holds for `for`, so a
 * provider that acts one block early is seen doing it.
 */
import { mine } from '../../chain/mining.js';
import type { Condition, Deadline } from '../model.js';
import { defineStep, valueOf, type StepOutcome } from './define.js';
import { head } from './support/chain.js';
import { buildCondition, deadline, judgeWithin, judgingMapping, judgingStep } from './support/judging.js';

declare module '../model.js' {
  interface StepForms {
    'confirm-each-depth': { condition: Condition; for: Deadline };
  }
}

export const confirmEachDepthStep = defineStep({
  kind: 'confirm-each-depth',
  schema: judgingMapping(
    'Confirm one block at a time; at every depth below the confirmations a condition stays false for `for`: `{ that, <its fields>, for }`.',
    'that',
    'for',
    ['that', 'for'],
  ),
  ...judgingStep('that', 'for', false, 'confirm each depth, never'),
  build: (step) => ({ condition: buildCondition(step, 'that'), for: deadline(valueOf(step, 'for')) }),
  run: async (ctx, s) => {
    const confirmations = BigInt(ctx.world.profile.confirmations);
    const sent = ctx.lastTxBlock ?? (await head(ctx));
    // Whatever was seen, the step ends with the block confirmed, as `confirm` does, for the steps after it.
    const confirm = async () => {
      const rest = sent + confirmations - (await head(ctx));
      if (rest > 0n) await mine(ctx.world.test, Number(rest));
    };
    const depths: bigint[] = [];
    let last: StepOutcome | undefined;
    for (let depth = (await head(ctx)) - sent; depth < confirmations; depth++) {
      if (depths.length) await mine(ctx.world.test, 1);
      depths.push(depth);
      last = await judgeWithin(ctx, s.condition, s.for, false);
      const check = last.check!;
      if (!check.holds) {
        const at = `at depth ${depth} of ${confirmations}`;
        await confirm();
        return {
          summary: `block ${sent} ${at}: the condition held`,
          check: {
            ...check,
            observed: { depth: Number(depth), ...check.observed },
            failure: `${at}: ${check.failure}`,
          },
        };
      }
    }
    await confirm();
    const judged = depths.map(Number);
    return {
      summary: `block ${sent} judged at depths ${judged.join(', ') || '(none: already confirmed)'}, then ${confirmations} deep`,
      ...(last?.check && {
        check: {
          ...last.check,
          expected: `at every depth ${judged.join(', ')}: ${last.check.expected}`,
          observed: { depths: judged, ...last.check.observed },
        },
      }),
    };
  },
  order: 111,
});
