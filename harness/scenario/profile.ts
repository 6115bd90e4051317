/**
 * Profiles (scenarios/profiles/<name>.yaml): the deadlines a provider is held to and the world's
 * knobs. Validated against profile.schema.json with positioned errors, like scenarios.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DeadlineName } from '../spec/requirements.js';
import type { Profile } from './model.js';
import schemaJson from './profile.schema.json' with { type: 'json' };
import {
  compileSchema,
  display,
  explainSchemaErrors,
  isObject,
  readYaml,
  show,
  suggestion,
  type CompiledSchema,
} from '../yaml/index.js';
import {
  DURATION_HELP,
  ONE_DOCUMENT,
  parseDuration,
  ScenarioError,
  zeroDuration,
  type ScenarioProblem,
} from './problems.js';

/** The suite's scenario files. */
export const SCENARIOS_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../scenarios');
export const PROFILES_DIR = join(SCENARIOS_DIR, 'profiles');
export const PROFILE_SCHEMA_PATH = join(dirname(fileURLToPath(import.meta.url)), 'profile.schema.json');
export const DEFAULT_PROFILE = 'default';

const DEADLINES: Record<DeadlineName, string> = {
  provision: 'until a confirmed top-up is served',
  update: 'until a change to a live deployment shows',
  teardown: 'until an expired or stopped deployment is gone',
  recover: 'until a killed org-node or provider is back',
  connect: 'until a peer connects to an org-node',
  replicate: 'until a push reaches a peer in another LAN',
  quiet: 'how long nothing may appear',
};
/** Every deadline name, in the order profiles list them. */
export const DEADLINE_NAMES = Object.keys(DEADLINES) as DeadlineName[];

/** What each deadline bounds, in words (for help and reports). */
export function deadlineMeaning(name: DeadlineName): string {
  return DEADLINES[name];
}

let compiled: CompiledSchema | undefined;

/** The names of the profiles in scenarios/profiles/, sorted. */
export function listProfiles(dir = PROFILES_DIR): string[] {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return [];
  }
  return entries
    .filter((f) => /\.ya?ml$/.test(f))
    .map((f) => f.replace(/\.ya?ml$/, ''))
    .sort();
}

/**
 * A profile by name (`scenarios/profiles/<name>.yaml`) or by path (anything with a `/` or ending in
 * .yaml/.yml). Throws a ScenarioError listing every problem; an unknown name lists the profiles there are.
 */
export function loadProfile(nameOrPath: string = DEFAULT_PROFILE): Profile {
  const byPath = nameOrPath.includes('/') || /\.ya?ml$/.test(nameOrPath);
  let file: string;
  if (byPath) {
    file = resolve(nameOrPath);
  } else {
    const yaml = join(PROFILES_DIR, `${nameOrPath}.yaml`);
    const yml = join(PROFILES_DIR, `${nameOrPath}.yml`);
    file = existsSync(yaml) || !existsSync(yml) ? yaml : yml;
  }
  let source: string;
  try {
    source = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (!byPath && code === 'ENOENT') {
      const available = listProfiles();
      throw new ScenarioError([
        {
          file: display(PROFILES_DIR),
          message: `unknown profile "${nameOrPath}"${suggestion(nameOrPath, available)}`.replace(
            '(expected one of',
            '(available:',
          ),
        },
      ]);
    }
    throw new ScenarioError([
      {
        file: display(file),
        message:
          code === 'ENOENT' ? 'no such profile file' : `cannot be read (${code ?? (error as Error).message})`,
      },
    ]);
  }
  return parseProfile(source, file);
}

/** Parses and validates profile text; `file` names it (its base name is the profile's name). */
export function parseProfile(source: string, file: string): Profile {
  const checked = checkProfile(source, file);
  if (!checked.profile) throw new ScenarioError(checked.problems);
  return checked.profile;
}

/** Like parseProfile, but returns the problems instead of throwing. */
export function checkProfile(
  source: string,
  file: string,
): { profile?: Profile; problems: ScenarioProblem[] } {
  const shown = display(resolve(file));
  const { data, problems } = readYaml(source, shown, {
    empty: `expected a profile: deadlines: { ${DEADLINE_NAMES.join(', ')} }, confirmations, graceBlocks, burst, parallel`,
    ...ONE_DOCUMENT,
  });
  if (data === undefined) return { problems: problems.sorted() };
  compiled ??= compileSchema(schemaJson);
  const schema = compiled;
  explainSchemaErrors(schema.errors(data), data, schema, problems, ({ error, pointer, path }) => {
    if (pointer === '#/$defs/durationText' && error.keyword === 'pattern')
      return { message: `must be ${DURATION_HELP}, got ${show(error.data)}` };
    if (pointer === '#/properties/deadlines' && error.keyword === 'required') {
      const missing = String((error.params as { missingProperty: string }).missingProperty);
      return {
        at: 'key',
        field: `deadlines.${missing}`,
        message: `is required (${DEADLINES[missing as DeadlineName] ?? missing}, e.g. ${missing}: 60s)`,
      };
    }
    if (pointer === '#/properties/deadlines' && error.keyword === 'additionalProperties') {
      const extra = String((error.params as { additionalProperty: string }).additionalProperty);
      return {
        path: [...path, extra],
        at: 'key',
        message: `unknown deadline${suggestion(extra, DEADLINE_NAMES)}`,
      };
    }
    return undefined;
  });
  // What the schema cannot say: a written duration of zero.
  const deadlines = isObject(data) && isObject(data.deadlines) ? data.deadlines : {};
  for (const name of DEADLINE_NAMES) {
    if (zeroDuration(deadlines[name]))
      problems.add(['deadlines', name], `must be longer than 0, got ${show(deadlines[name])}`);
  }
  if (problems.count) return { problems: problems.sorted() };
  const raw = data as {
    deadlines: Record<DeadlineName, string | number>;
    confirmations: number;
    graceBlocks: number;
    burst: number;
    parallel: number;
  };
  return {
    problems: [],
    profile: {
      name: basename(file, extname(file)),
      file: resolve(file),
      deadlines: Object.fromEntries(
        DEADLINE_NAMES.map((n) => [n, parseDuration(raw.deadlines[n])!]),
      ) as Record<DeadlineName, number>,
      confirmations: raw.confirmations,
      graceBlocks: raw.graceBlocks,
      burst: raw.burst,
      parallel: raw.parallel,
    },
  };
}
