/**
 * Scenario files (scenarios/*.yaml, format in scenarios/README.md): YAML → JSON Schema (schema.json)
 * → what a schema cannot say (names declared and defined before use, requirement IDs) → the model.
 * Every problem names the file, line, column and field and says what was expected; all at once.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { NAT_PRESETS, type NatPreset } from '../net/router.js';
import { isRequirementId, REQUIREMENT_IDS, type RequirementId } from '../spec/requirements.js';
import type { Condition, Deadline, OrgSpec, PeerSpec, Scenario, Step, StepKind, Target } from './model.js';
import schemaJson from './schema.json' with { type: 'json' };
import { DEADLINE_NAMES } from './profile.js';
import {
  compileSchema,
  didYouMean,
  display,
  explainSchemaErrors,
  fieldName,
  hint,
  isObject,
  Problems,
  readYaml,
  show,
  suggestion,
  typeNames,
  valueAt,
  type CompiledSchema,
  type Explain,
  type PathSegment,
} from '../yaml/index.js';
import {
  DURATION_HELP,
  ONE_DOCUMENT,
  parseDuration,
  ScenarioError,
  zeroDuration,
  type ScenarioProblem,
} from './problems.js';

/** The JSON Schema every scenario file is validated against (publishable as is). */
export const SCENARIO_SCHEMA_PATH = join(dirname(fileURLToPath(import.meta.url)), 'schema.json');
export const DEFAULT_TIMEOUT_SECONDS = 600;

export type ConditionKind = Condition['kind'];
type ConditionField = 'org' | 'orgs' | 'peer' | 'since' | 'repo';

/** The fields each condition takes (`peer?`: optional). */
const CONDITIONS: Record<ConditionKind, readonly string[]> = {
  served: ['org'],
  published: ['org'],
  gone: ['org'],
  'dns-consistent': ['org'],
  'txt-expiry': ['org'],
  p2p: ['org', 'peer?'],
  http: ['org'],
  'same-node': ['org', 'since'],
  'same-identity': ['org', 'since'],
  'has-repo': ['org', 'repo'],
  'lacks-repo': ['org', 'repo'],
  fetched: ['org', 'peer', 'repo'],
  isolated: ['orgs'],
  'burst-served': [],
};
export const CONDITION_KINDS = Object.keys(CONDITIONS) as ConditionKind[];

interface StepForm {
  /** The field a scalar value stands for: `top-up: alpha` → org. */
  scalar?: string;
  /** May be written as a bare name or with no value (`- confirm`, `- heal:`). */
  bare?: boolean;
  /** Its own fields (`?`: optional); `proves` is always allowed. */
  fields: readonly string[];
}

const ORG = { scalar: 'org', fields: ['org'] };
const TARGET = { scalar: 'target', fields: ['target'] };
const STEPS: Record<StepKind, StepForm> = {
  'top-up': { scalar: 'org', fields: ['org', 'packages?'] },
  'register-then-top-up': { scalar: 'org', fields: ['org', 'packages?'] },
  'invalid-top-up': ORG,
  cancel: ORG,
  suspend: ORG,
  anchor: { fields: ['org', 'repo'] },
  burst: { scalar: 'count', bare: true, fields: ['count?'] },
  'foreign-top-up': ORG,
  'malformed-log': { bare: true, fields: [] },
  mine: { scalar: 'blocks', fields: ['blocks'] },
  confirm: { bare: true, fields: [] },
  'mine-to': { fields: ['org', 'at', 'offset?'] },
  reorg: { scalar: 'depth', fields: ['depth'] },
  kill: TARGET,
  start: TARGET,
  restart: TARGET,
  pause: TARGET,
  unpause: TARGET,
  partition: { fields: ['peer', 'org'] },
  heal: { bare: true, fields: [] },
  loss: { fields: ['peer', 'percent'] },
  latency: { fields: ['peer', 'ms'] },
  bandwidth: { fields: ['peer', 'kbit'] },
  connect: { fields: ['peer', 'org'] },
  'create-repo': { fields: ['peer', 'repo'] },
  push: { fields: ['peer', 'repo'] },
  remember: { fields: ['org', 'as'] },
  sleep: { scalar: 'for', fields: ['for'] },
  wait: { fields: ['until', '<condition fields>', 'within'] },
  expect: { scalar: 'that', fields: ['that', '<condition fields>', 'within?'] },
  never: { fields: ['that', '<condition fields>', 'for'] },
};
export const STEP_KINDS = Object.keys(STEPS) as StepKind[];
const BARE_STEPS = STEP_KINDS.filter((k) => STEPS[k].bare);
/** The key naming the condition, and the deadline's key, of the judging steps. */
const JUDGING: Partial<Record<StepKind, { key: 'until' | 'that'; timing: 'within' | 'for' }>> = {
  wait: { key: 'until', timing: 'within' },
  expect: { key: 'that', timing: 'within' },
  never: { key: 'that', timing: 'for' },
};

const SCALAR_HINT: Record<string, string> = {
  org: '<org>',
  count: '<count>',
  blocks: '<blocks>',
  depth: '<depth>',
  target: 'controller | node:<org>',
  for: '<duration>',
  that: 'burst-served',
};

/** How a step is written, e.g. `top-up: <org>, or top-up: { org, packages? }`. */
export function stepUsage(kind: StepKind): string {
  const form = STEPS[kind];
  const ways: string[] = [];
  if (form.bare) ways.push(kind);
  if (form.scalar) ways.push(`${kind}: ${SCALAR_HINT[form.scalar] ?? `<${form.scalar}>`}`);
  if (form.fields.length) ways.push(`${kind}: { ${form.fields.join(', ')} }`);
  return ways.join(', or ');
}

const NAME = new RegExp(schemaJson.$defs.name.pattern);
const REPO = new RegExp(schemaJson.$defs.repo.pattern);
let compiled: CompiledSchema | undefined;

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

function readSource(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ScenarioError([
      {
        file: display(file),
        message:
          code === 'ENOENT'
            ? 'no such scenario file'
            : code === 'EISDIR'
              ? 'is a folder (give a file, or the folder to loadScenarios)'
              : `cannot be read (${code ?? (error as Error).message})`,
      },
    ]);
  }
}

/** Absolute file paths for one path, folder or glob; a string says why there are none. */
function expand(pattern: string): string[] | string {
  const abs = resolve(pattern);
  const wild = /[*?]/;
  if (!wild.test(pattern)) {
    const stat = statOf(abs);
    if (!stat) return 'no such scenario file or folder';
    if (!stat.isDirectory()) return [abs];
    const found = listYaml(abs, () => true);
    return found.length ? found : 'no scenario files (*.yaml, *.yml) in this folder';
  }
  const dir = dirname(abs);
  if (wild.test(dir)) return 'wildcards (* and ?) go in the file name only, e.g. scenarios/*.yaml';
  const re = new RegExp(
    `^${basename(abs)
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '[^/]*')
      .replace(/\?/g, '[^/]')}$`,
  );
  if (!statOf(dir)?.isDirectory()) return `no such folder ${display(dir)}`;
  const found = listYaml(dir, (name) => re.test(name), true);
  return found.length ? found : 'no files match';
}

function listYaml(dir: string, match: (name: string) => boolean, any = false): string[] {
  return readdirSync(dir)
    .filter((name) => match(name) && (any || /\.ya?ml$/.test(name)) && !name.startsWith('.'))
    .sort()
    .map((name) => join(dir, name))
    .filter((f) => statOf(f)?.isFile());
}

function statOf(path: string): ReturnType<typeof statSync> | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
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
  compiled ??= compileSchema(schemaJson);
  const schema = compiled;
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

// --- schema errors in words ------------------------------------------------------------------------

function explainer(orgNames: readonly string[]): Explain {
  return ({ error: e, pointer, path, data }) => {
    const params = e.params as Record<string, unknown>;
    const stepPath = path[0] === 'steps' && typeof path[1] === 'string' ? path.slice(0, 2) : undefined;
    const item = stepPath ? valueAt(data, stepPath) : undefined;
    // The step a path is in (`steps[3].wait.within` → wait), when the item names one.
    const kind = path[0] === 'steps' && path.length >= 3 ? (path[2] as StepKind) : undefined;
    const known = kind && kind in STEPS ? kind : undefined;

    if (pointer === '#/$defs/step/else/propertyNames' && e.propertyName !== undefined) {
      const key = e.propertyName;
      const siblings = isObject(item) ? Object.keys(item).filter((k) => k in STEPS) : [];
      const owner = siblings.length === 1 ? (siblings[0] as StepKind) : undefined;
      const takes = owner ? fieldsOf(owner, valueAt(data, [...stepPath!, owner])) : [];
      if (owner && takes.includes(key)) {
        return {
          path: [...path, key],
          at: 'key',
          message: `belongs inside ${owner}: indent it under "${owner}:" (a list item holds one step and, at most, proves)`,
        };
      }
      return {
        path: [...path, key],
        at: 'key',
        message: `unknown step "${key}"${suggestion(key, STEP_KINDS)}`,
      };
    }
    if (pointer === '#/$defs/step/else' && e.keyword === 'oneOf') {
      const keys = isObject(item) ? Object.keys(item) : [];
      const steps = keys.filter((k) => k in STEPS);
      if (keys.some((k) => !(k in STEPS) && k !== 'proves')) return null; // reported as an unknown step
      if (steps.length > 1)
        return {
          path: [...path, steps[1]!],
          at: 'key',
          message: `one step per list item: "${steps[0]}" and "${steps[1]}" are both here (start a new item with "- ")`,
        };
      return {
        at: 'key',
        message: `has ${keys.length ? 'proves but ' : ''}no step (expected one of ${STEP_KINDS.join(', ')})`,
      };
    }
    if (pointer === '#/$defs/step/then' && e.keyword === 'enum') {
      const text = String(e.data);
      const word = text.split(/[\s:]/)[0]!;
      if (text in STEPS) return { message: `${text} needs a value: ${stepUsage(text as StepKind)}` };
      if (word !== text && word in STEPS)
        return { message: `missing ":" after "${word}" (write ${stepUsage(word as StepKind)})` };
      return { message: `unknown step "${text}"${suggestion(text, STEP_KINDS)}` };
    }
    if (pointer === '#/$defs/step' && e.keyword === 'type') {
      return {
        message: `must be a step: a bare ${BARE_STEPS.join(' / ')}, or a mapping with one step, got ${show(e.data)}`,
      };
    }
    if (pointer === '#/$defs/condition' && e.keyword === 'enum') {
      return { message: `unknown condition ${show(e.data)}${suggestion(e.data, CONDITION_KINDS)}` };
    }
    if (pointer === '#/$defs/step-expect/then' && e.keyword === 'enum') {
      const text = String(e.data);
      if (text in CONDITIONS) {
        const fields = CONDITIONS[text as ConditionKind].map((f) => `${f.replace('?', '')}: …`).join(', ');
        return {
          message: `condition "${text}" needs ${needs(text as ConditionKind)}: write expect: { that: ${text}, ${fields} }`,
        };
      }
      return { message: `unknown condition "${text}"${suggestion(text, CONDITION_KINDS)}` };
    }
    if (pointer.startsWith('#/$defs/deadline') && e.keyword === 'enum') {
      const guess = didYouMean(String(e.data), DEADLINE_NAMES);
      return {
        message: `unknown deadline ${show(e.data)} (expected a deadline name — ${DEADLINE_NAMES.join(', ')} — or ${DURATION_HELP}${guess ? `; did you mean "${guess}"?` : ''})`,
      };
    }
    if (pointer === '#/$defs/durationText' && e.keyword === 'pattern') {
      return { message: `must be ${DURATION_HELP}, got ${show(e.data)}` };
    }
    if (pointer === '#/$defs/deadline' && e.keyword === 'type') {
      return {
        message: `must be a deadline name (${DEADLINE_NAMES.join(', ')}) or ${DURATION_HELP}, got ${show(e.data)}`,
      };
    }
    if (pointer === '#/$defs/duration' && e.keyword === 'type') {
      return { message: `must be ${DURATION_HELP}, got ${show(e.data)}` };
    }
    if (pointer === '#/$defs/target' && e.keyword === 'pattern') {
      const targets = ['controller', ...orgNames.map((o) => `node:${o}`)];
      const guess = didYouMean(String(e.data), targets);
      return {
        message: `must be controller or node:<org>, got ${show(e.data)}${guess ? ` (did you mean "${guess}"?)` : ''}`,
      };
    }
    if (pointer === '#/$defs/name' && e.keyword === 'pattern') {
      const where =
        e.propertyName !== undefined ? { path: [...path, e.propertyName], at: 'key' as const } : {};
      return {
        ...where,
        message: `must be a name: lower-case letters, digits and dashes, starting with a letter, got ${show(e.propertyName ?? e.data)}`,
      };
    }
    if (pointer === '#/properties/scenario' && e.keyword === 'pattern') {
      return { message: `must be an id: lower-case letters, digits and dashes, got ${show(e.data)}` };
    }
    if (pointer === '#/$defs/repo' && e.keyword === 'pattern') {
      return {
        message: `must be a repository name: lower-case letters, digits, ".", "_" and "-", got ${show(e.data)}`,
      };
    }
    if (pointer === '#/properties/orgs/else/additionalProperties' && e.keyword === 'enum') {
      return {
        message: `must be contract or address (empty: contract), got ${show(e.data)}${suggestion(e.data, ['contract', 'address'], false)}`,
      };
    }
    if (pointer === '#/$defs/proves' && e.keyword === 'type') {
      return { message: `must be a requirement ID or a list of them, got ${show(e.data)}` };
    }
    if (e.keyword === 'false schema') {
      const field = String(path.at(-1));
      const condition = conditionOf(valueAt(data, path.slice(0, -1)));
      if (condition)
        return {
          at: 'key',
          message: `condition "${condition}" does not take ${field} (${condition} takes ${takesText(condition)})`,
        };
    }
    const condition = /^#\/\$defs\/condition-(.+)$/.exec(pointer)?.[1];
    if (condition && e.keyword === 'required') {
      const missing = String(params.missingProperty);
      return {
        at: 'key',
        field: fieldName([...path, missing]),
        message: `is required (condition "${condition}" needs ${needs(condition as ConditionKind)})`,
      };
    }
    if (known && e.keyword === 'additionalProperties') {
      const extra = String(params.additionalProperty);
      const takes = fieldsOf(known, valueAt(data, path));
      const guess = didYouMean(extra, takes);
      const hint =
        extra === 'that' && known === 'wait'
          ? ' (wait names its condition with until:)'
          : extra === 'until' && known !== 'wait'
            ? ` (${known} names its condition with that:)`
            : guess
              ? ` (did you mean "${guess}"?)`
              : ` (${known} takes ${takes.join(', ')})`;
      return { path: [...path, extra], at: 'key', message: `unknown field${hint}` };
    }
    if (known && path.length === 3 && e.keyword === 'type') {
      return {
        message: `must be ${typeNames(params.type)}, got ${show(e.data)} (write ${stepUsage(known)})`,
      };
    }
    if (known && e.keyword === 'required' && pointer.startsWith(`#/$defs/step-${known}`)) {
      const missing = String(params.missingProperty);
      return {
        at: 'key',
        field: fieldName([...path, missing]),
        message: `is required (write ${stepUsage(known)})`,
      };
    }
    if (path.length === 0 && e.keyword === 'required') {
      const missing = String(params.missingProperty);
      const hint = TOP_LEVEL_HINT[missing];
      return { at: 'key', field: missing, message: `is required${hint ? ` (${hint})` : ''}` };
    }
    if (pointer === '#/properties/steps' && e.keyword === 'minItems') {
      return { message: 'must have at least one step' };
    }
    return undefined;
  };
}

const TOP_LEVEL_HINT: Record<string, string> = {
  scenario: 'the scenario id: lower-case letters, digits and dashes, e.g. scenario: extension',
  title: 'one line a person reads',
  steps: 'a list of steps, e.g. steps: [{ top-up: alpha }]',
};

/** The fields a step's mapping takes (for a judging step: those of its condition), proves included. */
function fieldsOf(kind: StepKind, value: unknown): string[] {
  const judging = JUDGING[kind];
  if (!judging) return [...STEPS[kind].fields.map((f) => f.replace('?', '')), 'proves'];
  const condition = conditionOf(value, judging.key);
  const condFields = condition
    ? CONDITIONS[condition].map((f) => f.replace('?', ''))
    : ['org', 'orgs', 'peer', 'since', 'repo'];
  return [judging.key, ...condFields, judging.timing, 'proves'];
}

function conditionOf(value: unknown, key?: 'that' | 'until'): ConditionKind | undefined {
  if (!isObject(value)) return undefined;
  const name = key ? value[key] : (value.that ?? value.until);
  return typeof name === 'string' && name in CONDITIONS ? (name as ConditionKind) : undefined;
}

/** `org, peer and repo` (what a condition needs). */
function needs(kind: ConditionKind): string {
  const required = CONDITIONS[kind].filter((f) => !f.endsWith('?'));
  if (!required.length) return 'nothing';
  return required.length === 1 ? required[0]! : `${required.slice(0, -1).join(', ')} and ${required.at(-1)}`;
}

function takesText(kind: ConditionKind): string {
  const fields = CONDITIONS[kind];
  if (!fields.length) return 'no fields';
  return fields.map((f) => (f.endsWith('?') ? `${f.slice(0, -1)} (optional)` : f)).join(', ');
}

// --- the world: orgs and peers -------------------------------------------------------------------

interface World {
  orgs: OrgSpec[];
  peers: PeerSpec[];
  orgByName: Map<string, OrgSpec>;
  peerNames: Set<string>;
}

function checkWorld(data: unknown, problems: Problems): World {
  const raw = isObject(data) ? data : {};
  const orgs: OrgSpec[] = [];
  const orgByName = new Map<string, OrgSpec>();
  const orgLines = new Map<string, number>();
  if (Array.isArray(raw.orgs)) {
    raw.orgs.forEach((name, i) => {
      if (typeof name !== 'string') return;
      if (orgByName.has(name)) {
        problems.add(['orgs', i], `org "${name}" is declared twice (first at line ${orgLines.get(name)})`);
        return;
      }
      const spec: OrgSpec = { name, kind: 'contract' };
      orgs.push(spec);
      orgByName.set(name, spec);
      orgLines.set(name, problems.map?.position(['orgs', i]).line ?? 0);
    });
  } else if (isObject(raw.orgs)) {
    for (const [name, kind] of Object.entries(raw.orgs)) {
      const spec: OrgSpec = { name, kind: kind === 'address' ? 'address' : 'contract' };
      orgs.push(spec);
      orgByName.set(name, spec);
    }
  }

  const peers: PeerSpec[] = [];
  const peerNames = new Set<string>();
  const peerLines = new Map<string, number>();
  if (Array.isArray(raw.peers)) {
    raw.peers.forEach((name, i) => {
      if (typeof name !== 'string') return;
      if (peerNames.has(name)) {
        problems.add(['peers', i], `peer "${name}" is declared twice (first at line ${peerLines.get(name)})`);
        return;
      }
      peers.push({ name });
      peerNames.add(name);
      peerLines.set(name, problems.map?.position(['peers', i]).line ?? 0);
    });
  } else if (isObject(raw.peers)) {
    // A LAN has one router, so one NAT preset: the first peer that names it sets it.
    const lanNat = new Map<string, { nat: NatPreset; peer: string; line: number }>();
    for (const [name, value] of Object.entries(raw.peers)) {
      peerNames.add(name);
      const spec: PeerSpec = { name };
      peers.push(spec);
      if (!isObject(value)) continue;
      const lan = typeof value.lan === 'string' ? value.lan : undefined;
      if (lan) spec.lan = lan;
      if (typeof value.nat !== 'string') continue;
      const path = ['peers', name, 'nat'];
      if (!NAT_PRESETS.includes(value.nat as NatPreset)) {
        problems.add(path, `unknown NAT preset "${value.nat}"${suggestion(value.nat, NAT_PRESETS)}`);
        continue;
      }
      const nat = value.nat as NatPreset;
      if (value.lan === undefined) {
        problems.add(
          path,
          `needs a lan: a peer behind NAT sits in a LAN behind its router (e.g. lan: home1); leave out nat for a peer straight on the internet`,
        );
        continue;
      }
      if (!lan) continue;
      const first = lanNat.get(lan);
      if (first && first.nat !== nat) {
        problems.add(
          path,
          `LAN "${lan}" is already behind a ${first.nat} NAT (peer ${first.peer}, line ${first.line}): peers in one LAN share its router`,
        );
        continue;
      }
      if (!first) lanNat.set(lan, { nat, peer: name, line: problems.map?.position(path).line ?? 0 });
      spec.nat = nat;
    }
    for (const spec of peers) {
      const nat = spec.lan ? lanNat.get(spec.lan)?.nat : undefined;
      if (nat && !spec.nat) spec.nat = nat;
    }
  }
  return { orgs, peers, orgByName, peerNames };
}

// --- steps ---------------------------------------------------------------------------------------

interface Field {
  value: unknown;
  path: PathSegment[];
}

interface RawStep {
  index: number;
  kind: StepKind;
  fields: Map<string, Field>;
  /** proves, from inside the step or next to it. */
  proves?: Field;
  line: number;
}

/** The steps, when every one of them is well-formed; problems for every one that is not. */
function checkSteps(data: unknown, world: World, problems: Problems): Step[] | undefined {
  const raw = isObject(data) && Array.isArray(data.steps) ? (data.steps as unknown[]) : [];
  const steps: RawStep[] = [];
  raw.forEach((item, index) => {
    const base: PathSegment[] = ['steps', index];
    const line = problems.map?.position(base).line ?? 0;
    let kind: StepKind | undefined;
    let value: unknown;
    let sibling: Field | undefined;
    if (typeof item === 'string' && BARE_STEPS.includes(item as StepKind)) {
      kind = item as StepKind;
    } else if (isObject(item)) {
      const keys = Object.keys(item).filter((k) => k in STEPS);
      if (keys.length !== 1) return;
      kind = keys[0] as StepKind;
      value = item[kind];
      if ('proves' in item) sibling = { value: item.proves, path: [...base, 'proves'] };
    } else return;
    const fields = new Map<string, Field>();
    const at: PathSegment[] = [...base, kind];
    if (isObject(value)) {
      for (const [k, v] of Object.entries(value)) fields.set(k, { value: v, path: [...at, k] });
    } else if (value !== null && value !== undefined && STEPS[kind].scalar) {
      fields.set(STEPS[kind].scalar!, { value, path: at });
    }
    const inner = fields.get('proves');
    fields.delete('proves');
    if (inner && sibling)
      problems.add(sibling.path, 'proves is given twice: inside the step and next to it (keep one)', {
        at: 'key',
      });
    const proves = inner ?? sibling;
    steps.push({ index, kind, fields, line, ...(proves ? { proves } : {}) });
  });

  const names = new Definitions(steps, problems);
  for (const step of steps) checkStep(step, world, names, problems);

  if (problems.count || steps.length !== raw.length) return undefined;
  return steps.map((s) => buildStep(s));
}

/** Names steps define (create-repo's repo, remember's as) and where, to check uses against. */
class Definitions {
  readonly repos = new Map<string, RawStep>();
  readonly memories = new Map<string, RawStep[]>();
  readonly bursts: number[] = [];

  constructor(steps: readonly RawStep[], problems: Problems) {
    for (const step of steps) {
      if (step.kind === 'burst') this.bursts.push(step.index);
      if (step.kind === 'create-repo') {
        const repo = step.fields.get('repo');
        if (typeof repo?.value !== 'string' || !REPO.test(repo.value)) continue;
        const first = this.repos.get(repo.value);
        if (first) {
          problems.add(
            repo.path,
            `repo "${repo.value}" is already created at line ${first.line} (each create-repo makes a new repository: give it another name)`,
          );
        } else this.repos.set(repo.value, step);
      }
      if (step.kind === 'remember') {
        const as = step.fields.get('as')?.value;
        if (typeof as === 'string' && NAME.test(as))
          this.memories.set(as, [...(this.memories.get(as) ?? []), step]);
      }
    }
  }
}

function checkStep(step: RawStep, world: World, names: Definitions, problems: Problems): void {
  const get = (name: string) => step.fields.get(name);
  const isName = (f: Field | undefined): f is Field & { value: string } =>
    typeof f?.value === 'string' && NAME.test(f.value);

  /** `target`: the org came from `node:<org>` (the message then names the target). */
  const org = (f: Field | undefined, target = false) => {
    if (!isName(f)) return;
    if (world.orgByName.has(f.value)) return;
    const declared = [...world.orgByName.keys()];
    const what = target ? `node:${f.value} names an unknown org "${f.value}"` : `unknown org "${f.value}"`;
    const guess = didYouMean(f.value, declared);
    const shownGuess = guess && target ? `node:${guess}` : guess;
    problems.add(
      f.path,
      declared.length
        ? `${what} (declared: ${declared.join(', ')}${shownGuess ? `; did you mean "${shownGuess}"?` : ''})`
        : `${what} (no orgs are declared: add orgs: { ${f.value}: contract })`,
    );
  };
  const peer = (f: Field | undefined) => {
    if (!isName(f)) return;
    if (world.peerNames.has(f.value)) return;
    const declared = [...world.peerNames];
    problems.add(
      f.path,
      declared.length
        ? `unknown peer "${f.value}" (declared: ${declared.join(', ')}${hint(f.value, declared)})`
        : `unknown peer "${f.value}" (no peers are declared: add peers: { ${f.value}: {} })`,
    );
  };
  const repoUse = (f: Field | undefined) => {
    if (typeof f?.value !== 'string' || !REPO.test(f.value)) return;
    const created = names.repos.get(f.value);
    if (created && created.index < step.index) return;
    if (created) {
      problems.add(
        f.path,
        `repo "${f.value}" is used before create-repo makes it (at line ${created.line}): create it first`,
      );
      return;
    }
    const known = [...names.repos.keys()];
    problems.add(
      f.path,
      `no create-repo makes repo "${f.value}"${known.length ? ` (created: ${known.join(', ')}${hint(f.value, known)})` : ''}: add - create-repo: { peer: …, repo: ${f.value} } before this step`,
    );
  };
  const since = (f: Field | undefined, forOrg: unknown) => {
    if (!isName(f)) return;
    const all = names.memories.get(f.value) ?? [];
    const before = all.filter((s) => s.index < step.index);
    const last = before.at(-1);
    if (!last) {
      if (all.length) {
        problems.add(
          f.path,
          `"${f.value}" is used before remember defines it (at line ${all[0]!.line}): remember it first`,
        );
      } else {
        const known = [...names.memories.keys()];
        problems.add(
          f.path,
          `nothing is remembered as "${f.value}"${known.length ? ` (remembered: ${known.join(', ')}${hint(f.value, known)})` : ''}: add - remember: { org: …, as: ${f.value} } before this step`,
        );
      }
      return;
    }
    const remembered = last.fields.get('org')?.value;
    if (typeof forOrg === 'string' && typeof remembered === 'string' && remembered !== forOrg) {
      problems.add(
        f.path,
        `"${f.value}" remembers org ${remembered} (line ${last.line}), not ${forOrg}: compare an org with its own past`,
      );
    }
  };

  const form = STEPS[step.kind];
  const judging = JUDGING[step.kind];
  if (judging) {
    const condition = conditionOf(
      Object.fromEntries([...step.fields].map(([k, f]) => [k, f.value])),
      judging.key,
    );
    if (!condition) return checkProves(step, problems);
    const takes = CONDITIONS[condition].map((f) => f.replace('?', '')) as ConditionField[];
    if (takes.includes('org')) org(get('org'));
    if (takes.includes('peer')) peer(get('peer'));
    if (takes.includes('repo')) repoUse(get('repo'));
    if (takes.includes('since')) since(get('since'), get('org')?.value);
    if (takes.includes('orgs')) {
      const list = get('orgs');
      if (Array.isArray(list?.value)) {
        const seen = new Set<string>();
        list.value.forEach((name, i) => {
          const f = { value: name, path: [...list.path, i] };
          if (typeof name === 'string' && seen.has(name))
            problems.add(f.path, `org "${name}" is listed twice (isolation is between different orgs)`);
          seen.add(String(name));
          org(f);
        });
      }
    }
    if (condition === 'burst-served' && !names.bursts.some((i) => i < step.index)) {
      problems.add(
        get(judging.key)?.path ?? ['steps', step.index, step.kind],
        'needs a burst step before it',
      );
    }
    const timing = get(judging.timing);
    if (timing && zeroDuration(timing.value))
      problems.add(timing.path, `must be longer than 0, got ${show(timing.value)}`);
    return checkProves(step, problems);
  }

  const takes = form.fields.map((f) => f.replace('?', ''));
  if (takes.includes('org')) org(get('org'));
  if (takes.includes('peer')) peer(get('peer'));
  if (takes.includes('repo') && step.kind !== 'create-repo') repoUse(get('repo'));
  if (step.kind === 'anchor') {
    const o = get('org');
    const spec = isName(o) ? world.orgByName.get(o.value) : undefined;
    if (o && spec?.kind === 'address')
      problems.add(
        o.path,
        `org "${spec.name}" is declared as address: anchor needs a contract org (declare ${spec.name}: contract)`,
      );
  }
  if (takes.includes('target')) {
    const t = get('target');
    const m = typeof t?.value === 'string' ? /^node:(.+)$/.exec(t.value) : null;
    if (t && m) org({ value: m[1], path: t.path }, true);
  }
  if (step.kind === 'sleep') {
    const f = get('for');
    if (f && zeroDuration(f.value)) problems.add(f.path, `must be longer than 0, got ${show(f.value)}`);
  }
  checkProves(step, problems);
}

function checkProves(step: RawStep, problems: Problems): void {
  const proves = step.proves;
  if (!proves) return;
  const list: Field[] =
    typeof proves.value === 'string'
      ? [proves]
      : Array.isArray(proves.value)
        ? proves.value.map((v, i) => ({ value: v, path: [...proves.path, i] }))
        : [];
  const seen = new Set<string>();
  for (const f of list) {
    if (typeof f.value !== 'string' || !f.value) continue;
    if (!isRequirementId(f.value)) {
      const guess = didYouMean(f.value, REQUIREMENT_IDS);
      problems.add(
        f.path,
        `unknown requirement "${f.value}" (${guess ? `did you mean "${guess}"?` : `expected one of ${REQUIREMENT_IDS.join(', ')}`})`,
      );
    } else if (seen.has(f.value)) {
      problems.add(f.path, `"${f.value}" is listed twice`);
    }
    seen.add(f.value);
  }
}

// --- the model -----------------------------------------------------------------------------------

type StepBody = Step extends infer S
  ? S extends Step
    ? Omit<S, 'index' | 'line' | 'proves'>
    : never
  : never;

/** A checked step as the model has it (only called when there are no problems). */
function buildStep(step: RawStep): Step {
  const v = (name: string) => step.fields.get(name)?.value;
  const s = (name: string) => v(name) as string;
  const n = (name: string) => v(name) as number | undefined;
  const proves = step.proves?.value;
  const base = {
    index: step.index,
    line: step.line,
    proves: (typeof proves === 'string'
      ? [proves]
      : ((proves as string[] | undefined) ?? [])) as RequirementId[],
  };
  const body = ((): StepBody => {
    const kind = step.kind;
    switch (kind) {
      case 'top-up':
      case 'register-then-top-up':
        return { kind, org: s('org'), packages: n('packages') ?? 1 };
      case 'invalid-top-up':
      case 'cancel':
      case 'suspend':
      case 'foreign-top-up':
        return { kind, org: s('org') };
      case 'anchor':
        return { kind, org: s('org'), repo: s('repo') };
      case 'burst': {
        const count = n('count');
        return count === undefined ? { kind } : { kind, count };
      }
      case 'malformed-log':
      case 'confirm':
      case 'heal':
        return { kind };
      case 'mine':
        return { kind, blocks: n('blocks')! };
      case 'mine-to':
        return { kind, org: s('org'), at: s('at') as 'expiry' | 'grace-end', offset: n('offset') ?? 0 };
      case 'reorg':
        return { kind, depth: n('depth')! };
      case 'kill':
      case 'start':
      case 'restart':
      case 'pause':
      case 'unpause':
        return { kind, target: parseTarget(s('target')) };
      case 'partition':
      case 'connect':
        return { kind, peer: s('peer'), org: s('org') };
      case 'loss':
        return { kind, peer: s('peer'), percent: n('percent')! };
      case 'latency':
        return { kind, peer: s('peer'), ms: n('ms')! };
      case 'bandwidth':
        return { kind, peer: s('peer'), kbit: n('kbit')! };
      case 'create-repo':
      case 'push':
        return { kind, peer: s('peer'), repo: s('repo') };
      case 'remember':
        return { kind, org: s('org'), as: s('as') };
      case 'sleep':
        return { kind, seconds: parseDuration(v('for'))! };
      case 'wait':
        return { kind, condition: buildCondition(step, 'until'), within: deadline(v('within')) };
      case 'expect': {
        const within = v('within');
        return {
          kind,
          condition: buildCondition(step, 'that'),
          ...(within !== undefined ? { within: deadline(within) } : {}),
        };
      }
      case 'never':
        return { kind, condition: buildCondition(step, 'that'), for: deadline(v('for')) };
    }
  })();
  return { ...base, ...body } as Step;
}

function buildCondition(step: RawStep, key: 'until' | 'that'): Condition {
  const s = (name: string) => step.fields.get(name)?.value as string;
  const kind = s(key) as ConditionKind;
  switch (kind) {
    case 'served':
    case 'published':
    case 'gone':
    case 'dns-consistent':
    case 'txt-expiry':
    case 'http':
      return { kind, org: s('org') };
    case 'p2p': {
      const peer = s('peer');
      return peer === undefined ? { kind, org: s('org') } : { kind, org: s('org'), peer };
    }
    case 'same-node':
    case 'same-identity':
      return { kind, org: s('org'), since: s('since') };
    case 'has-repo':
    case 'lacks-repo':
      return { kind, org: s('org'), repo: s('repo') };
    case 'fetched':
      return { kind, org: s('org'), peer: s('peer'), repo: s('repo') };
    case 'isolated':
      return { kind, orgs: step.fields.get('orgs')?.value as string[] };
    case 'burst-served':
      return { kind };
  }
}

/** `provision` → { name }; `90s`, `2m`, 90 → { seconds }. */
export function deadline(value: unknown): Deadline {
  if (typeof value === 'string' && (DEADLINE_NAMES as readonly string[]).includes(value))
    return { name: value as Deadline extends { name: infer N } ? N : never };
  return { seconds: parseDuration(value)! };
}

/** `controller` → { kind: 'controller' }; `node:alpha` → { kind: 'node', org: 'alpha' }. */
export function parseTarget(text: string): Target {
  return text === 'controller' ? { kind: 'controller' } : { kind: 'node', org: text.slice('node:'.length) };
}
