/** kill / start / restart / pause / unpause: one action on the provider or an org's org-node. */
import { dockerEngine } from '../../../docker/engine.js';
import type { ScenarioContext } from '../../context.js';
import type { Target } from '../../model.js';
import { ORG_LABEL, orgContainers } from '../../../outside/index.js';
import { text, type RawStep, type StepChecks, type StepOutcome } from '../define.js';
import { targetForm } from './forms.js';

export type TargetAction = 'kill' | 'start' | 'restart' | 'pause' | 'unpause';

async function nodeContainer(ctx: ScenarioContext, org: string) {
  const found = await orgContainers(ctx.world.run.id, ctx.org(org), { all: true });
  if (found.length !== 1) {
    throw new Error(
      `expected one container labelled ${ORG_LABEL}=${ctx.org(org).toLowerCase()} (SPEC.md §4), found ${found.length}`,
    );
  }
  return dockerEngine().getContainer(found[0]!.Id);
}

async function act(ctx: ScenarioContext, action: TargetAction, target: Target): Promise<StepOutcome> {
  if (target.kind === 'controller') {
    const p = ctx.world.provider;
    if (action === 'kill') await p.kill();
    else if (action === 'start') await p.start();
    else if (action === 'restart') await p.restart();
    else await (action === 'pause' ? p.container.pause() : p.container.unpause());
    return { summary: `${action} the provider (${p.name})` };
  }
  const c = await nodeContainer(ctx, target.org);
  if (action === 'kill') await c.kill({ signal: 'SIGKILL' });
  else if (action === 'start') await c.start();
  else if (action === 'restart') await c.restart({ t: 10 });
  else if (action === 'pause') await c.pause();
  else await c.unpause();
  return { summary: `${action} the org-node of ${target.org}`, facts: { container: c.id.slice(0, 12) } };
}

/** `controller` → { kind: 'controller' }; `node:alpha` → { kind: 'node', org: 'alpha' }. */
export function parseTarget(text: string): Target {
  return text === 'controller' ? { kind: 'controller' } : { kind: 'node', org: text.slice('node:'.length) };
}

/** Everything of a target step but its kind: `kill: controller`, `restart: node:<org>`. */
export function targetStep(action: TargetAction, verb: string) {
  return {
    schema: targetForm(
      `${verb} a container: \`${action}: controller\` or \`${action}: node:<org>\` (or \`{ target }\`).`,
    ),
    fields: ['target'],
    scalar: 'target',
    scalarHint: 'controller | node:<org>',
    check: (step: RawStep, c: StepChecks) => c.byName(step, ['target']),
    build: (step: RawStep) => ({ target: parseTarget(text(step, 'target')) }),
    run: (ctx: ScenarioContext, s: { target: Target }) => act(ctx, action, s.target),
  };
}
