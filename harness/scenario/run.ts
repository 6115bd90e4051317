/**
 * Runs one scenario in a world of its own and returns what happened: steps with times and blocks,
 * and evidence for every requirement its steps prove. Whatever happens, the world is torn down.
 */
import { healAll } from '../faults/index.js';
import { dockerEngine } from '../docker/engine.js';
import { RUN_LABEL } from '../docker/labels.js';
import { logText } from '../docker/logs.js';
import { startRun } from '../docker/run.js';
import { ProviderNotReadyError, type LoadedProvider } from '../provider/index.js';
import type { Evidence, ScenarioResult, StepResult } from '../report/model.js';
import { scenarioContext, type ScenarioContext } from './context.js';
import type { Profile, Scenario, Step } from './model.js';
import { stepDefinition, type StepCheck, type StepOutcome } from './steps/index.js';
import { startScenarioWorld, type ScenarioWorld } from './world.js';

export interface RunScenarioOptions {
  scenario: Scenario;
  provider: LoadedProvider;
  profile: Profile;
  seed: number;
  /** Extra provider variables (a known provider's tuning knobs). */
  providerEnv?: Record<string, string>;
  /** One line per event, for live progress. */
  onProgress?: (line: string) => void;
}

const LOG_LINES = 200;

const now = () => new Date().toISOString();

export async function runScenario(o: RunScenarioOptions): Promise<ScenarioResult> {
  const { scenario, profile } = o;
  const say = (line: string) => o.onProgress?.(`[${scenario.id}] ${line}`);
  const started = Date.now();
  const result: ScenarioResult = {
    id: scenario.id,
    title: scenario.title,
    file: scenario.file,
    status: 'passed',
    startedAt: new Date(started).toISOString(),
    endedAt: '',
    durationMs: 0,
    steps: [],
    proves: [...scenario.proves],
    evidence: [],
  };
  const run = startRun(`sc-${scenario.id.slice(0, 12)}`);
  let world: ScenarioWorld | undefined;
  let ctx: ScenarioContext | undefined;
  try {
    say('booting a world and starting the provider');
    world = await startScenarioWorld({
      run,
      scenario,
      provider: o.provider,
      profile,
      seed: o.seed,
      ...(o.providerEnv && { providerEnv: o.providerEnv }),
      ...(o.onProgress && { onProgress: (line: string) => say(line) }),
    });
    const w = world;
    ctx = scenarioContext(w);
    say(
      `world up in ${((Date.now() - started) / 1000).toFixed(1)} s (provider ready after ${w.provider.readyAfterMs} ms)`,
    );
    await runSteps(ctx, scenario, result, started + scenario.timeoutSeconds * 1000, say);
  } catch (error) {
    const message = world?.redact((error as Error).message) ?? (error as Error).message;
    if (error instanceof ProviderNotReadyError) {
      result.status = 'failed';
      result.error = `the provider did not become ready: ${message}`;
      result.logs = { provider: error.logs };
    } else {
      result.status = 'error';
      result.error = message;
    }
    say(`${result.status}: ${result.error}`);
  } finally {
    if (ctx?.faults.length) await healAll(ctx.faults.splice(0)).catch(() => undefined);
    if (world) {
      const logs = await world.provider.logs(LOG_LINES).catch((e: Error) => `(no logs: ${e.message})`);
      result.logs = { ...result.logs, provider: logs };
      if (result.status !== 'passed') Object.assign(result.logs, await orgNodeLogs(run.id, world.redact));
    }
    await run.dispose().catch((e: Error) => say(`cleanup failed: ${e.message}`));
    result.endedAt = now();
    result.durationMs = Date.now() - started;
  }
  say(`${result.status} in ${(result.durationMs / 1000).toFixed(1)} s`);
  return result;
}

/** The last lines of every org-node of the run (at most a few): what a failure report shows. */
async function orgNodeLogs(runId: string, redact: (s: string) => string): Promise<Record<string, string>> {
  const docker = dockerEngine();
  const found = await docker
    .listContainers({ all: true, filters: { label: [`${RUN_LABEL}=${runId}`, 'oneclick.org'] } })
    .catch(() => []);
  const out: Record<string, string> = {};
  for (const c of found.slice(0, 6)) {
    const raw = await docker
      .getContainer(c.Id)
      .logs({ stdout: true, stderr: true, tail: 50 })
      .catch(() => Buffer.from(''));
    out[c.Names?.[0]?.replace(/^\//, '') ?? c.Id.slice(0, 12)] = redact(logText(raw as unknown as Buffer));
  }
  return out;
}

/**
 * Runs the steps of `scenario` in order, each through its definition, recording each in `result`.
 * A failed check does not end the scenario: requirements proved later are judged on their own
 * (a provider's records that disagree with its endpoints must fail PROV-DNS, not skip the rest), and
 * failures after a failed `wait`, which later steps count on, are marked as perhaps following from
 * it. A step that throws (the script itself cannot go on) skips the rest.
 */
export async function runSteps(
  ctx: ScenarioContext,
  scenario: Scenario,
  result: ScenarioResult,
  hardDeadline: number,
  say: (line: string) => void,
): Promise<void> {
  const head = async () => Number(await ctx.world.test.getBlockNumber({ cacheTime: 0 }));
  let stopped: string | undefined;
  let gateFailed: string | undefined;
  // What the steps after each one prove, from the last step back: computed once per scenario.
  const provedAfter = scenario.steps.map(() => [] as string[]);
  for (let i = scenario.steps.length - 2; i >= 0; i--)
    provedAfter[i] = [...new Set([...scenario.steps[i + 1]!.proves, ...provedAfter[i + 1]!])];
  for (const step of scenario.steps) {
    const definition = stepDefinition(step.kind)!;
    const record: StepResult = {
      index: step.index,
      line: step.line,
      kind: step.kind,
      summary: definition.describe?.(step as never) ?? step.kind,
      startedAt: now(),
      endedAt: '',
      status: 'ok',
    };
    result.steps.push(record);
    if (stopped) {
      record.status = 'skipped';
      record.endedAt = record.startedAt;
      continue;
    }
    if (Date.now() > hardDeadline) {
      stopped = `the scenario's timeout (${scenario.timeoutSeconds} s) passed`;
      record.status = 'skipped';
      record.endedAt = now();
      result.status = 'failed';
      result.error = stopped;
      continue;
    }
    ctx.provedLater = provedAfter[step.index]!;
    const t0 = Date.now();
    record.blockStart = await head();
    const evidence = (check: StepCheck) => {
      for (const e of evidenceOf(check, step, scenario.id, gateFailed)) {
        if (e.verdict === 'fail') ctx.failed.add(e.requirement);
        result.evidence.push({
          ...e,
          observed: JSON.parse(ctx.world.redact(JSON.stringify(e.observed))) as Record<string, unknown>,
          elapsedMs: Date.now() - t0,
          at: now(),
          block: record.blockStart,
        });
      }
    };
    try {
      const out = await runStep(ctx, step);
      if (out.summary) record.summary = out.summary;
      if (out.facts) record.facts = out.facts;
      if (out.check) {
        evidence(out.check);
        if (!out.check.holds) {
          record.status = 'failed';
          record.error = out.check.failure ?? out.check.expected;
          result.status = 'failed';
          if (out.stopsOnFailure) gateFailed ??= `step ${step.index + 1} (line ${step.line}) failed`;
        }
      }
    } catch (error) {
      record.status = 'failed';
      record.error = ctx.world.redact((error as Error).message);
      result.status = 'failed';
      stopped = `step ${step.index + 1} (line ${step.line}) failed: ${record.error}`;
      result.error = stopped;
    }
    // Deadlines of later judgements count from the last thing done to the world (SPEC.md §5).
    if (!definition.judging && !definition.observes) ctx.actedAt = Date.now();
    record.blockEnd = await head().catch(() => record.blockStart);
    record.endedAt = now();
    const secs = ((Date.now() - t0) / 1000).toFixed(1);
    say(
      `${step.index + 1}/${scenario.steps.length} ${record.summary}: ${record.status}${record.error ? ` (${record.error})` : ''} [${secs} s, block ${record.blockEnd}]`,
    );
  }
}

/**
 * The evidence lines of one check: each line (else the check itself) for each requirement the step
 * proves, and each line naming its own requirement for that one. `after`: an earlier failed wait,
 * named on each failing line.
 */
export function evidenceOf(
  check: StepCheck,
  step: Pick<Step, 'index' | 'line' | 'proves'>,
  scenario: string,
  after?: string,
): Omit<Evidence, 'at'>[] {
  const lines = check.lines ?? [
    { holds: check.holds, expected: check.expected, ...(check.failure && { problem: check.failure }) },
  ];
  const out: Omit<Evidence, 'at'>[] = [];
  for (const l of lines) {
    for (const requirement of l.requirement ? [l.requirement] : step.proves) {
      const message = l.holds ? undefined : [l.problem, after && `after ${after}: may follow from it`];
      out.push({
        requirement,
        scenario,
        step: step.index,
        line: step.line,
        verdict: l.holds ? 'pass' : 'fail',
        expected: l.expected,
        observed: check.observed,
        ...(check.deadline && {
          deadline: {
            ...(check.deadline.name && { name: check.deadline.name }),
            seconds: check.deadline.seconds,
          },
        }),
        ...(message?.some(Boolean) && { message: message.filter(Boolean).join(' — ') }),
      });
    }
  }
  return out;
}

/** What the step's definition does to the world. */
function runStep(ctx: ScenarioContext, step: Step): Promise<StepOutcome> {
  const definition = stepDefinition(step.kind);
  if (!definition) throw new Error(`no step "${step.kind}" is defined`);
  return definition.run(ctx, step as never);
}
