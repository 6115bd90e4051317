/**
 * Actions on a running world, from the dashboard, `oneclick world` and k6 alike. Each action IS a
 * scenario step: its input is checked as a one-step scenario over the world's orgs and peers (the
 * same schema, checks and wording as a scenario file, so bad input changes nothing), then the step's
 * own definition runs it.
 */
import pLimit from 'p-limit';
import { confirm, createOrg, createdOrg } from '../chain/actions.js';
import type { ScenarioContext } from '../scenario/context.js';
import { checkScenario } from '../scenario/parse.js';
import { formatProblem } from '../scenario/problems.js';
import { isStepKind, stepDefinition, type StepOutcome } from '../scenario/steps/index.js';
import { servesTokens } from '../scenario/steps/support/pay.js';
import type { Currency } from '../spec/requirements.js';
import type { EventLog } from './events.js';
import { PLAYGROUND_ID } from './world.js';

/** The steps a world offers as actions (those that act; judging and peer steps have their own API). */
export const ACTION_KINDS = [
  'top-up',
  'register-then-top-up',
  'cancel',
  'suspend',
  'mine',
  'mine-to',
  'reorg',
  'kill',
  'start',
  'restart',
  'pause',
  'unpause',
  'partition',
  'heal',
  'latency',
  'loss',
  'bandwidth',
] as const;

/** Bad input: nothing was done. */
export class ActionInputError extends Error {
  override name = 'ActionInputError';
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
  }
}

export interface ActionResult {
  action: string;
  summary: string;
  facts?: Record<string, unknown>;
  check?: StepOutcome['check'];
  ms: number;
  block: number;
}

export function actionKinds(): string[] {
  return ACTION_KINDS.filter((k) => isStepKind(k));
}

/** One action at a time: they share the wallets' nonces and the world's faults. */
const serial = pLimit(1);

/**
 * Runs `action` with `input` (the step's mapping form; `create: true` on a top-up first creates the
 * org through the OrgFactory under that name).
 */
export function runAction(
  ctx: ScenarioContext,
  events: EventLog,
  action: string,
  input: Record<string, unknown>,
): Promise<ActionResult> {
  return serial(async () => {
    const { create, ...fields } = input;
    const step = checkedStep(ctx, action, fields, create === true) as { kind: string };
    const t0 = performance.now();
    if (create === true) await newOrg(ctx, events, String(fields.org));
    const out = await stepDefinition(step.kind)!.run(ctx, step as never);
    const result: ActionResult = {
      action,
      summary: out.summary ?? action,
      ...(out.facts && { facts: out.facts }),
      ...(out.check && { check: out.check }),
      ms: Math.round(performance.now() - t0),
      block: Number(await ctx.world.test.getBlockNumber({ cacheTime: 0 })),
    };
    events.add('action', `${result.summary}${out.check && !out.check.holds ? ' (check failed)' : ''}`, {
      action,
      input,
      ms: result.ms,
    });
    return result;
  });
}

/** The provider contract the world's provider serves. */
export const worldCurrency = (ctx: ScenarioContext): Currency => (servesTokens(ctx) ? 'token' : 'eth');

/**
 * The step a top-up paid in `currency` is: the world's own currency is a plain `top-up` (tokens
 * after an allowance on a TokenProvider); ether to a TokenProvider is a `swap-top-up`. An
 * EthProvider takes nothing but ether, and the Entrance registers orgs of an EthProvider only.
 */
function stepKind(ctx: ScenarioContext, action: string, currency: unknown): string {
  const served = worldCurrency(ctx);
  if (currency !== undefined && action !== 'top-up' && action !== 'register-then-top-up')
    throw new ActionInputError(['currency: only top-up and register-then-top-up pay']);
  if (currency !== undefined && currency !== 'eth' && currency !== 'token')
    throw new ActionInputError([`currency: expected eth or token, got ${JSON.stringify(currency)}`]);
  if (action === 'register-then-top-up' && (served === 'token' || currency === 'token'))
    throw new ActionInputError([
      `register-then-top-up: the Entrance registers orgs of an EthProvider only; this world's provider serves ${served}`,
    ]);
  if (action !== 'top-up' || currency === undefined || currency === served) return action;
  if (currency === 'token')
    throw new ActionInputError([
      "currency: this world's provider contract is the EthProvider (ether only); for tokens start one with `oneclick up --currency token`",
    ]);
  return 'swap-top-up';
}

/** The step model of `action` with `fields`, checked as a scenario over the world; or ActionInputError. */
export function checkedStep(
  ctx: ScenarioContext,
  action: string,
  input: Record<string, unknown>,
  create = false,
): unknown {
  if (!(ACTION_KINDS as readonly string[]).includes(action) || !isStepKind(action))
    throw new ActionInputError([`unknown action "${action}" (one of: ${actionKinds().join(', ')})`]);
  const { currency, ...fields } = input;
  const kind = stepKind(ctx, action, currency);
  if ('proves' in fields) throw new ActionInputError(['proves: a scenario field, not an action input']);
  const orgs = [...ctx.world.orgs.keys()];
  const name = typeof fields.org === 'string' ? fields.org : undefined;
  if (create && action !== 'top-up') throw new ActionInputError(['create: only top-up creates an org']);
  if ((create || action === 'register-then-top-up') && name !== undefined) {
    if (orgs.includes(name)) throw new ActionInputError([`org: "${name}" exists already`]);
    orgs.push(name);
  }
  const peers = Object.fromEntries(
    [...ctx.world.peers].map(([peer, host]) => [peer, host.lan ? { lan: host.lan.name } : {}]),
  );
  const doc = {
    scenario: PLAYGROUND_ID,
    title: 'an action',
    currency: worldCurrency(ctx),
    ...(orgs.length && { orgs }),
    ...(Object.keys(peers).length && { peers }),
    steps: [{ [kind]: Object.keys(fields).length ? fields : null }],
  };
  const checked = checkScenario(JSON.stringify(doc), 'input');
  if (!checked.scenario)
    throw new ActionInputError(
      checked.problems.map(({ line: _line, column: _column, field, ...p }) => {
        const own = field?.replace(/^steps\[0\]\.[a-z-]+\.?/, '');
        return formatProblem({ ...p, file: action, ...(own && { field: own }) });
      }),
    );
  return checked.scenario.steps[0];
}

async function newOrg(ctx: ScenarioContext, events: EventLog, name: string): Promise<void> {
  const w = ctx.world;
  const receipt = await confirm(w.test, await createOrg(w.wallets.orgOwner, w.booted.deployment.orgFactory));
  const org = createdOrg(receipt);
  w.orgs.set(name, org);
  events.add('action', `create org ${name} (${org}) in block ${receipt.blockNumber}`, { org });
}
