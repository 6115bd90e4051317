/**
 * The provider manifest (`provider.yaml`, SPEC.md §2): JSON Schema validation with ajv, errors that
 * name the file, line, column, field and what was expected, every problem at once.
 */
import { readFile, realpath, stat } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import _Ajv2020 from 'ajv/dist/2020.js';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { LineCounter, parseDocument, stringify, type YAMLError } from 'yaml';
import schema from './manifest.schema.json' with { type: 'json' };
import { fieldName, fromJsonPointer, SourceMap, type PathSegment, type SourcePosition } from './positions.js';

export const MANIFEST_FILE = 'provider.yaml';
export const API_VERSION = 'oneclick/v1';
/** The JSON Schema every manifest is validated against (publishable as is). */
export const MANIFEST_SCHEMA_PATH = join(dirname(fileURLToPath(import.meta.url)), 'manifest.schema.json');
export const DEFAULT_READINESS_TIMEOUT_SECONDS = 60;
/** Build-arg the harness sets on every provider build: the Debian base image (as for its own recipes). */
export const BASE_BUILD_ARG = 'BASE';

export type Readiness =
  | { http: { port: number; path: string }; timeoutSeconds?: number }
  | { exec: string[]; timeoutSeconds?: number };

export interface BuildSpec {
  /** A folder inside the provider package, or another provider package's folder; relative to it. */
  context: string;
  /** Relative to the context; default `Dockerfile`. */
  dockerfile?: string;
  args?: Record<string, string>;
}

/** provider.yaml as validated against manifest.schema.json. */
export interface ProviderManifest {
  apiVersion: typeof API_VERSION;
  name: string;
  version: string;
  description?: string;
  image?: string;
  build?: BuildSpec;
  runtime: 'docker';
  env?: Record<string, string>;
  readiness: Readiness;
  requirements?: string[];
  mustFail?: string[];
}

/** A manifest plus what the harness resolved from it. */
export interface LoadedProvider {
  manifest: ProviderManifest;
  /** The provider folder, absolute. */
  dir: string;
  /** Its provider.yaml, absolute. */
  file: string;
  /** provider.yaml as errors show it: relative to the working directory when inside it. */
  displayFile: string;
  /** With `build`: absolute context folder and Dockerfile, and the Dockerfile relative to the context. */
  build?: {
    context: string;
    dockerfile: string;
    dockerfileInContext: string;
    args: Record<string, string>;
    /**
     * The package whose image this is: the provider itself, or the other provider package whose
     * folder is the context (its name: the image is shared with it). Symbolic links in the context
     * must stay inside `packageDir`.
     */
    imageName: string;
    packageDir: string;
  };
  readinessTimeoutSeconds: number;
  /** `file:line:column` of a field of the manifest (for errors found after loading, e.g. a missing image). */
  locate(path: readonly PathSegment[]): string;
}

export interface ManifestProblem {
  /** As displayed (see LoadedProvider.displayFile). */
  file: string;
  line?: number;
  column?: number;
  /** Dotted field path (`readiness.http.port`, `env.FOO`); absent for file-level problems. */
  field?: string;
  message: string;
}

/** `file:line:column: field: message`. */
export function formatProblem(p: ManifestProblem): string {
  const where = p.line === undefined ? p.file : `${p.file}:${p.line}:${p.column ?? 1}`;
  return `${where}: ${p.field ? `${p.field}: ` : ''}${p.message}`;
}

/** Every problem of one manifest; `message` lists them one per line. */
export class ManifestError extends Error {
  override name = 'ManifestError';
  constructor(readonly problems: readonly ManifestProblem[]) {
    super(problems.map(formatProblem).join('\n'));
  }
}

/**
 * Reads and validates `<dir>/provider.yaml`, then checks what the schema cannot (the build context
 * and Dockerfile exist inside the folder). Throws a ManifestError listing every problem.
 */
export async function loadProvider(dir: string): Promise<LoadedProvider> {
  const absDir = resolve(dir);
  const file = join(absDir, MANIFEST_FILE);
  const displayFile = display(file);
  const fail = (message: string): never => {
    throw new ManifestError([{ file: displayFile, message }]);
  };
  const dirStat = await stat(absDir).catch(() => undefined);
  if (!dirStat)
    fail(`no such provider folder ${display(absDir)} (a provider is a folder with a ${MANIFEST_FILE})`);
  if (!dirStat!.isDirectory())
    fail(`${display(absDir)} is not a folder (a provider is a folder with a ${MANIFEST_FILE})`);
  let source: string;
  try {
    source = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return fail(
      code === 'ENOENT'
        ? `missing: a provider folder must contain ${MANIFEST_FILE} (SPEC.md §2)`
        : `cannot be read (${code ?? (error as Error).message})`,
    );
  }
  return fromSource(source, absDir, file, displayFile);
}

/**
 * A manifest written in code (a generated faulty provider, say), validated like a file; `dir` is
 * where a `build.context` is looked up. Positions in its errors refer to the manifest as YAML.
 */
export async function providerFromManifest(
  manifest: ProviderManifest,
  dir = process.cwd(),
): Promise<LoadedProvider> {
  const absDir = resolve(dir);
  const label = `<manifest ${typeof manifest.name === 'string' ? manifest.name : 'in code'}>`;
  return fromSource(stringify(manifest), absDir, join(absDir, MANIFEST_FILE), label);
}

async function fromSource(
  source: string,
  absDir: string,
  file: string,
  displayFile: string,
): Promise<LoadedProvider> {
  const parsed = parseManifest(source, displayFile);
  const problems = [...parsed.problems];
  let build: LoadedProvider['build'];
  if (parsed.manifest?.build && parsed.map) {
    const checked = await checkBuild(
      absDir,
      parsed.manifest.name,
      parsed.manifest.build,
      parsed.map,
      displayFile,
    );
    problems.push(...checked.problems);
    build = checked.build;
  }
  const map = parsed.map;
  if (problems.length || !parsed.manifest || !map) throw new ManifestError(sortProblems(problems));
  return {
    manifest: parsed.manifest,
    dir: absDir,
    file,
    displayFile,
    ...(build ? { build } : {}),
    readinessTimeoutSeconds: parsed.manifest.readiness.timeoutSeconds ?? DEFAULT_READINESS_TIMEOUT_SECONDS,
    locate: (path) => {
      const pos = map.position(path);
      return `${displayFile}:${pos.line}:${pos.column}`;
    },
  };
}

export interface ParsedManifest {
  /** Present when the text is valid YAML that passes the schema. */
  manifest?: ProviderManifest;
  problems: ManifestProblem[];
  /** Positions of the parsed document (absent after a syntax error). */
  map?: SourceMap;
}

/** Parses and schema-checks manifest text; `file` is only used in the problems. Never throws. */
export function parseManifest(source: string, file: string): ParsedManifest {
  const lines = new LineCounter();
  const doc = parseDocument(source, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const map = new SourceMap(doc, lines);
  const syntax = [...doc.errors, ...doc.warnings].map((e) => yamlProblem(e, file, map));
  if (syntax.length) return { problems: sortProblems(syntax) };
  if (doc.contents === null) {
    return {
      map,
      problems: [
        {
          file,
          line: 1,
          column: 1,
          message: `is empty: expected a mapping with apiVersion: ${API_VERSION}, ...`,
        },
      ],
    };
  }
  const data: unknown = doc.toJS({ maxAliasCount: 100 });
  const validate = validator();
  if (validate(data)) return { manifest: data as ProviderManifest, problems: [], map };
  const problems = explain(validate.errors ?? [], data, map, file);
  return { problems: sortProblems(problems), map };
}

// --- schema errors → problems ------------------------------------------------------------------

type Ajv2020Class = typeof _Ajv2020.default;
const Ajv2020 = _Ajv2020 as unknown as Ajv2020Class;
let compiled: ValidateFunction | undefined;

function validator(): ValidateFunction {
  compiled ??= new Ajv2020({ allErrors: true, verbose: true, strict: true, strictRequired: false }).compile(
    schema,
  );
  return compiled;
}

/** What a pattern means, by the schema path of the `pattern` keyword. */
const PATTERN_MEANING: Record<string, string> = {
  '#/properties/name/pattern': 'lower-case letters, digits and dashes, starting with a letter or digit',
  '#/properties/version/pattern': 'a semver-like version such as 1.2.3 or 0.1.0-rc.1',
  '#/properties/image/pattern': 'a local image reference such as oneclick/provider-x:latest',
  '#/properties/readiness/properties/http/properties/path/pattern': 'an absolute path starting with /',
  '#/properties/requirements/items/pattern': 'a requirement ID (a letter, then letters, digits, . _ -)',
  '#/properties/mustFail/items/pattern': 'a requirement ID (a letter, then letters, digits, . _ -)',
};

const REQUIRED_HINT: Record<string, string> = {
  apiVersion: `expected "${API_VERSION}"`,
  runtime: 'expected "docker"',
  readiness: 'e.g. readiness: { http: { port: 9100, path: /healthz }, timeoutSeconds: 60 }',
  context: 'a folder inside the provider package, e.g. "."',
};

function explain(
  errors: readonly ErrorObject[],
  data: unknown,
  map: SourceMap,
  file: string,
): ManifestProblem[] {
  const problems: ManifestProblem[] = [];
  const seen = new Set<string>();
  const add = (
    path: readonly PathSegment[],
    at: 'value' | 'key',
    message: string,
    field = fieldName(path),
  ) => {
    const pos: SourcePosition = map.position(path, at);
    const key = `${pos.line}:${pos.column}:${field}:${message}`;
    if (seen.has(key)) return;
    seen.add(key);
    problems.push({ file, line: pos.line, column: pos.column, ...(field ? { field } : {}), message });
  };
  // A misspelt field is reported once, as the typo, not also as the missing field it was meant to be.
  const typos = new Set<string>();
  for (const e of errors) {
    if (e.keyword !== 'additionalProperties') continue;
    const known = Object.keys((e.parentSchema as { properties?: object } | undefined)?.properties ?? {});
    const guess = didYouMean(String((e.params as Record<string, unknown>).additionalProperty), known);
    if (guess) typos.add(`${e.instancePath}/${guess}`);
  }
  // Where a value has the wrong type, what applies only to the right type is noise.
  const mistyped = new Set(errors.filter((e) => e.keyword === 'type').map((e) => e.instancePath));
  const typeBound = new Set(['required', 'oneOf', 'additionalProperties', 'minItems', 'uniqueItems']);
  for (const e of errors) {
    if (typeBound.has(e.keyword) && mistyped.has(e.instancePath)) continue;
    // oneOf branches ({ required: [x] }) are explained by their oneOf; propertyNames by its inner errors.
    if (/\/oneOf\/\d+\//.test(e.schemaPath) || e.keyword === 'propertyNames') continue;
    const path: PathSegment[] = fromJsonPointer(e.instancePath);
    const params = e.params as Record<string, unknown>;
    if (e.propertyName !== undefined) {
      // A bad key of a map (env, build.args): point at the key itself.
      const keyPath = [...path, e.propertyName];
      if (e.keyword === 'not') {
        const owned = e.schemaPath.includes('/env/')
          ? 'ONECLICK_* variables belong to the harness (SPEC.md §3): use another name'
          : `${BASE_BUILD_ARG} is set by the harness (the Debian base image): use another name`;
        add(keyPath, 'key', owned);
      } else if (e.keyword === 'pattern') {
        add(keyPath, 'key', 'must be a variable name ([A-Za-z_][A-Za-z0-9_]*)');
      } else {
        add(keyPath, 'key', `invalid name (${e.message ?? e.keyword})`);
      }
      continue;
    }
    switch (e.keyword) {
      case 'required': {
        const missing = String(params.missingProperty);
        if (typos.has(`${e.instancePath}/${missing}`)) break;
        const hint = REQUIRED_HINT[missing];
        add([...path], 'key', `is required${hint ? ` (${hint})` : ''}`, fieldName([...path, missing]));
        break;
      }
      case 'additionalProperties': {
        const extra = String(params.additionalProperty);
        const known = Object.keys((e.parentSchema as { properties?: object } | undefined)?.properties ?? {});
        const guess = didYouMean(extra, known);
        add(
          [...path, extra],
          'key',
          `unknown field${guess ? ` (did you mean "${guess}"?)` : known.length ? ` (known: ${known.join(', ')})` : ''}`,
        );
        break;
      }
      case 'oneOf': {
        const branches = (e.schema as Array<{ required?: string[] }>) ?? [];
        const keys = branches.map((b) => b.required?.[0]).filter((k): k is string => !!k);
        const present = keys.filter((k) => isObject(e.data) && k in e.data);
        const choices = keys.map((k) => `"${k}"`).join(' or ');
        if (present.length > 1) {
          // Point at the second one: the first is fine on its own.
          add([...path, present[1]!], 'key', `give only one of ${choices}, not both`);
        } else {
          add(path, 'key', `needs exactly one of ${choices}`, fieldName(path) || undefined);
        }
        break;
      }
      case 'const':
        add(path, 'value', `must be ${JSON.stringify(params.allowedValue)}, got ${show(e.data)}`);
        break;
      case 'enum':
        add(
          path,
          'value',
          `must be one of ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}, got ${show(e.data)}`,
        );
        break;
      case 'type': {
        const wanted = String(params.type)
          .split(',')
          .map((t) => TYPE_NAMES[t] ?? t)
          .join(' or ');
        const quote =
          params.type === 'string' && (typeof e.data === 'number' || typeof e.data === 'boolean')
            ? ` (YAML reads it as a ${typeof e.data}: quote it, "${String(e.data)}")`
            : '';
        add(path, 'value', `must be ${wanted}, got ${show(e.data)}${quote}`);
        break;
      }
      case 'pattern': {
        const meaning = PATTERN_MEANING[e.schemaPath] ?? `text matching /${String(params.pattern)}/`;
        add(path, 'value', `must be ${meaning}, got ${show(e.data)}`);
        break;
      }
      case 'minimum':
      case 'maximum':
        add(
          path,
          'value',
          `must be ${e.keyword === 'minimum' ? '≥' : '≤'} ${String(params.limit)}, got ${show(e.data)}`,
        );
        break;
      case 'minLength':
        add(path, 'value', `must not be empty`);
        break;
      case 'maxLength':
        add(
          path,
          'value',
          `must be at most ${String(params.limit)} characters, got ${String((e.data as string).length)}`,
        );
        break;
      case 'minItems':
        add(path, 'value', `must have at least ${String(params.limit)} item(s)`);
        break;
      case 'uniqueItems':
        add(
          path,
          'value',
          `must not repeat items (item ${Math.max(Number(params.i), Number(params.j))} repeats item ${Math.min(Number(params.i), Number(params.j))})`,
        );
        break;
      default:
        add(path, 'value', `${e.message ?? e.keyword}`);
    }
  }
  return problems;
}

/** A value as an error shows it: scalars as YAML would, collections by kind. */
function show(value: unknown): string {
  if (value === null || value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
  return String(value);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The closest known name, when it is close enough to be a typo (or differs only in case). */
/** JSON Schema type names as an error message says them. */
export const TYPE_NAMES: Record<string, string> = {
  string: 'a string',
  integer: 'a whole number',
  number: 'a number',
  boolean: 'true or false',
  object: 'a mapping',
  array: 'a list',
  null: 'empty',
};

export function didYouMean(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    if (c.toLowerCase() === word.toLowerCase()) return c;
    if (word.length >= 4 && c.toLowerCase().startsWith(word.toLowerCase())) return c;
    const d = editDistance(word.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [c, d];
  }
  const limit = Math.max(1, Math.min(3, Math.floor(word.length / 3)));
  return bestDistance <= limit ? best : undefined;
}

/** Optimal string alignment distance: insertions, deletions, substitutions, adjacent transpositions. */
function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
}

function yamlProblem(error: YAMLError, file: string, map: SourceMap): ManifestProblem {
  const pos = error.linePos?.[0]
    ? { line: error.linePos[0].line, column: error.linePos[0].col }
    : map.at(error.pos[0]);
  const text =
    error.code === 'MULTIPLE_DOCS'
      ? 'a manifest is a single YAML document (remove the "---" separator)'
      : error.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
  return { file, line: pos.line, column: pos.column, message: `YAML syntax error: ${text}` };
}

function sortProblems(problems: ManifestProblem[]): ManifestProblem[] {
  return [...problems].sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
}

// --- what the schema cannot check ----------------------------------------------------------------

async function checkBuild(
  dir: string,
  name: string,
  build: BuildSpec,
  map: SourceMap,
  file: string,
): Promise<{ problems: ManifestProblem[]; build?: LoadedProvider['build'] }> {
  const problems: ManifestProblem[] = [];
  const problem = (path: PathSegment[], message: string) => {
    const pos = map.position(path);
    problems.push({ file, line: pos.line, column: pos.column, field: fieldName(path), message });
  };
  const realDir = await realpath(dir);
  if (isAbsolute(build.context)) {
    problem(
      ['build', 'context'],
      `must be a folder relative to the provider folder, got ${show(build.context)}`,
    );
    return { problems };
  }
  const context = resolve(dir, build.context);
  const realContext = await realpath(context).catch(() => undefined);
  if (!realContext) {
    problem(['build', 'context'], `no such folder ${show(build.context)} in ${display(dir)}`);
    return { problems };
  }
  if (!(await stat(realContext)).isDirectory()) {
    problem(['build', 'context'], `must be a folder, got the file ${show(build.context)}`);
    return { problems };
  }
  let owner = { imageName: name, packageDir: realDir };
  if (!inside(realDir, realContext)) {
    // Another provider package's folder: build that package's image (shared, named after it).
    const other = await packageAt(realContext);
    if (other === 'none') {
      problem(
        ['build', 'context'],
        `must stay inside the provider folder or be another provider package's folder, got ${show(build.context)}`,
      );
      return { problems };
    }
    if (other === 'invalid') {
      problem(
        ['build', 'context'],
        `${show(build.context)} is a provider package whose ${MANIFEST_FILE} is not valid (check it with oneclick provider check)`,
      );
      return { problems };
    }
    owner = { imageName: other, packageDir: realContext };
  }
  const dockerfileRel = build.dockerfile ?? 'Dockerfile';
  const dockerfilePath: PathSegment[] = build.dockerfile ? ['build', 'dockerfile'] : ['build', 'context'];
  if (isAbsolute(dockerfileRel)) {
    problem(dockerfilePath, `must be relative to the build context, got ${show(dockerfileRel)}`);
    return { problems };
  }
  const dockerfile = resolve(realContext, dockerfileRel);
  const realDockerfile = await realpath(dockerfile).catch(() => undefined);
  const what = build.dockerfile ? show(dockerfileRel) : 'Dockerfile (the default)';
  if (!realDockerfile || !(await stat(realDockerfile)).isFile()) {
    problem(dockerfilePath, `no ${what} in the build context ${show(build.context)}`);
    return { problems };
  }
  if (!inside(realContext, realDockerfile)) {
    problem(dockerfilePath, `must stay inside the build context, got ${show(dockerfileRel)}`);
    return { problems };
  }
  return {
    problems,
    build: {
      context: realContext,
      dockerfile: realDockerfile,
      dockerfileInContext: relative(realContext, realDockerfile).split(sep).join('/'),
      args: build.args ?? {},
      ...owner,
    },
  };
}

/** The name of the provider package whose folder `dir` is; 'none' when it has no provider.yaml. */
async function packageAt(dir: string): Promise<string | 'none' | 'invalid'> {
  const source = await readFile(join(dir, MANIFEST_FILE), 'utf8').catch(() => undefined);
  if (source === undefined) return 'none';
  return parseManifest(source, join(dir, MANIFEST_FILE)).manifest?.name ?? 'invalid';
}

function inside(parent: string, child: string): boolean {
  const rel = relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/** Relative to the working directory when inside it, else absolute. */
function display(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path;
}
