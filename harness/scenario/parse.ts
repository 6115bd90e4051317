/**
 * Scenario files (scenarios/*.yaml, format in scenarios/README.md): YAML → the JSON Schema the steps
 * assemble (schema.ts) → what a schema cannot say (parse/world.ts, parse/names.ts) → the model.
 * Every problem names the file, line, column and field and says what was expected; all at once.
 */
import { resolve } from 'node:path';
import type { RequirementId } from '../spec/requirements.js';
import { display, explainSchemaErrors, isObject, readYaml, show } from '../yaml/index.js';
import type { Scenario } from './model.js';
import { expand, readSource } from './parse/files.js';
import { checkSteps } from './parse/steps.js';
import { explainer } from './parse/wording.js';
import { checkWorld } from './parse/world.js';
import {
  ONE_DOCUMENT,
  parseDuration,
  ScenarioError,
  zeroDuration,
  type ScenarioProblem,
} from './problems.js';
import { compiledScenarioSchema } from './schema.js';
import { stepKinds } from './steps/index.js';

export { SCENARIO_SCHEMA_PATH } from './schema.js';
export { stepUsage } from './parse/wording.js';
export { CONDITION_KINDS, deadline, type ConditionKind } from './steps/support/judging.js';
export { parseTarget } from './steps/support/targets.js';

export const DEFAULT_TIMEOUT_SECONDS = 600;
/** The shipped steps, in the order the language lists them. */
export const STEP_KINDS = stepKinds();

/** Parses and validates one scenario; throws a ScenarioError listing every problem. */
export function parseScenario(source: string, file: string): Scenario {
  const checked = checkScenario(source, file);
  if (!checked.scenario) throw new ScenarioError(checked.problems);
  return checked.scenario;
}

/** Reads, parses and validates one scenario file. */
export function loadScenario(path: string): Scenario {
  const file = resolve(path);
  return parseScenario(readSource(file), display(file));
}

/**
 * Scenario files by path, folder (its *.yaml and *.yml) or glob (`*` and `?` in the file name:
 * `scenarios/*.yaml`), in the order given, each file once, matches sorted by name. Every problem of
 * every file is reported together, including two files with one `scenario:` id.
 */
export function loadScenarios(globOrPaths: string[] | string): Scenario[] {
  const patterns = typeof globOrPaths === 'string' ? [globOrPaths] : globOrPaths;
  const problems: ScenarioProblem[] = [];
  const files: string[] = [];
  for (const pattern of patterns) {
    const found = expand(pattern);
    if (typeof found === 'string') problems.push({ file: pattern, message: found });
    else for (const f of found) if (!files.includes(f)) files.push(f);
  }
  const scenarios: Scenario[] = [];
  const byId = new Map<string, Scenario>();
  for (const file of files) {
    let source: string;
    try {
      source = readSource(file);
    } catch (error) {
      problems.push(...(error as ScenarioError).problems);
      continue;
    }
    const checked = checkScenario(source, display(file));
    problems.push(...checked.problems);
    const scenario = checked.scenario;
    if (!scenario) continue;
    const first = byId.get(scenario.id);
    if (first) {
      const line = source.split('\n').findIndex((l) => /^scenario\s*:/.test(l)) + 1;
      problems.push({
        file: display(file),
        ...(line ? { line, column: 1 } : {}),
        field: 'scenario',
        message: `"${scenario.id}" is also the id of ${display(first.file)} (scenario ids are unique across the suite)`,
      });
      continue;
    }
    byId.set(scenario.id, scenario);
    scenarios.push(scenario);
  }
  if (problems.length) throw new ScenarioError(problems);
  return scenarios;
}

/** Like parseScenario, but returns the problems instead of throwing. Never throws. */
export function checkScenario(
  source: string,
  file: string,
): { scenario?: Scenario; problems: ScenarioProblem[] } {
  const { data, problems } = readYaml(source, file, {
    empty: 'expected a scenario: scenario: <id>, title: <text>, steps: [...] (see scenarios/README.md)',
    ...ONE_DOCUMENT,
  });
  if (data === undefined) return { problems: problems.sorted() };
  const schema = compiledScenarioSchema();
  const orgNames = isObject(data) ? namesOf(data.orgs) : [];
  explainSchemaErrors(schema.errors(data), data, schema, problems, explainer(orgNames));
  const world = checkWorld(data, problems);
  const steps = checkSteps(data, world, problems);
  const raw = data as Record<string, unknown>;
  const timeout = parseDuration(raw.timeout);
  if (zeroDuration(raw.timeout)) problems.add(['timeout'], `must be longer than 0, got ${show(raw.timeout)}`);
  if (problems.count || !steps) return { problems: problems.sorted() };
  const proves: RequirementId[] = [];
  for (const step of steps) for (const id of step.proves) if (!proves.includes(id)) proves.push(id);
  return {
    problems: [],
    scenario: {
      file: resolve(file),
      id: raw.scenario as string,
      title: raw.title as string,
      ...(typeof raw.description === 'string' ? { description: raw.description } : {}),
      currency: raw.currency === 'token' ? 'token' : 'eth',
      proves,
      orgs: world.orgs,
      peers: world.peers,
      steps,
      timeoutSeconds: timeout ?? DEFAULT_TIMEOUT_SECONDS,
    },
  };
}

function namesOf(value: unknown): string[] {
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  if (isObject(value)) return Object.keys(value);
  return [];
}
