/**
 * What scenario and profile files share: reading YAML with positions, collecting problems that name
 * the file, line, column, field and what was expected, and turning JSON Schema errors into them.
 */
import { isAbsolute, relative } from 'node:path';
import _Ajv2020 from 'ajv/dist/2020.js';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { LineCounter, parseDocument, type YAMLError } from 'yaml';
import { didYouMean, formatProblem, TYPE_NAMES, type ManifestProblem } from '../provider/manifest.js';
import { fieldName, fromJsonPointer, SourceMap, type PathSegment } from '../provider/positions.js';

/** One problem: `file:line:column: field: message` (see formatProblem). */
export type ScenarioProblem = ManifestProblem;
export { formatProblem, didYouMean };

/** Every problem of one or more scenario (or profile) files; `message` lists them one per line. */
export class ScenarioError extends Error {
  override name = 'ScenarioError';
  constructor(readonly problems: readonly ScenarioProblem[]) {
    super(problems.map(formatProblem).join('\n'));
  }
}

/** Collects problems of one file, each positioned by its path in the document. */
export class Problems {
  private readonly list: ScenarioProblem[] = [];
  private readonly seen = new Set<string>();

  constructor(
    readonly file: string,
    readonly map?: SourceMap,
  ) {}

  get count(): number {
    return this.list.length;
  }

  /**
   * A problem with the value at `path` (`at: 'key'`: with its key, e.g. an unknown field). `field`
   * overrides the field shown (a missing field is shown by its own name, positioned at its parent).
   */
  add(path: readonly PathSegment[], message: string, options: { at?: 'value' | 'key'; field?: string } = {}) {
    const pos = this.map?.position(path, options.at ?? 'value');
    const field = options.field ?? fieldName(path);
    this.push({
      file: this.file,
      ...(pos ? { line: pos.line, column: pos.column } : {}),
      ...(field ? { field } : {}),
      message,
    });
  }

  push(problem: ScenarioProblem) {
    const key = formatProblem(problem);
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.list.push(problem);
  }

  /** In file order (a stable sort: problems at one position keep the order they were found in). */
  sorted(): ScenarioProblem[] {
    return [...this.list].sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
  }
}

export interface ReadYaml {
  /** The document as plain data (absent after a syntax error or for an empty file). */
  data?: unknown;
  map: SourceMap;
  problems: Problems;
}

/** Parses one YAML document; syntax errors (with their line and column) and an empty file are problems. */
export function readYaml(source: string, file: string, empty: string): ReadYaml {
  const lines = new LineCounter();
  const doc = parseDocument(source, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const map = new SourceMap(doc, lines);
  const problems = new Problems(file, map);
  for (const error of [...doc.errors, ...doc.warnings]) problems.push(yamlProblem(error, source, file, map));
  if (problems.count) return { map, problems };
  if (doc.contents === null) {
    problems.push({ file, line: 1, column: 1, message: `is empty: ${empty}` });
    return { map, problems };
  }
  return { data: doc.toJS({ maxAliasCount: 100 }) as unknown, map, problems };
}

function yamlProblem(error: YAMLError, source: string, file: string, map: SourceMap): ScenarioProblem {
  const pos = error.linePos?.[0]
    ? { line: error.linePos[0].line, column: error.linePos[0].col }
    : map.at(error.pos[0]);
  const text =
    error.code === 'MULTIPLE_DOCS'
      ? 'one file holds one YAML document (remove the "---" separator)'
      : error.code === 'DUPLICATE_KEY'
        ? `${duplicateKey(source, error.pos[0])}appears twice in one mapping (each key once)`
        : error.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
  return { file, line: pos.line, column: pos.column, message: `YAML syntax error: ${text}` };
}

/** `"alpha" ` for the key at `offset`, when it is a plain word. */
function duplicateKey(source: string, offset: number): string {
  const key = /^["']?([^\s:"'{},[\]]+)/.exec(source.slice(offset))?.[1];
  return key ? `"${key}" ` : 'a key ';
}

// --- JSON Schema ---------------------------------------------------------------------------------

type Ajv2020Class = typeof _Ajv2020.default;
const Ajv2020 = _Ajv2020 as unknown as Ajv2020Class;

export interface CompiledSchema {
  /** Every error of `data` (none: valid). */
  errors(data: unknown): ErrorObject[];
  /** Where each (sub)schema object sits in the schema, as a JSON pointer (`#/$defs/deadline/else`). */
  pointerOf(schema: unknown): string | undefined;
}

export function compileSchema(schema: object): CompiledSchema {
  const validate: ValidateFunction = new Ajv2020({
    allErrors: true,
    verbose: true,
    strict: true,
    strictRequired: false,
    allowUnionTypes: true,
  }).compile(schema);
  const pointers = new Map<unknown, string>();
  const walk = (node: unknown, pointer: string) => {
    if (typeof node !== 'object' || node === null) return;
    if (!pointers.has(node)) pointers.set(node, pointer);
    for (const [k, v] of Object.entries(node)) walk(v, `${pointer}/${k}`);
  };
  walk(schema, '#');
  return {
    errors: (data) => (validate(data) ? [] : [...(validate.errors ?? [])]),
    pointerOf: (s) => pointers.get(s),
  };
}

/** A value as an error shows it: scalars as YAML would, collections by kind. */
export function show(value: unknown): string {
  if (value === null || value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
  return String(value);
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `"a", "b" or "c"`. */
export function oneOf(values: readonly unknown[]): string {
  const shown = values.map((v) => (v === null ? 'nothing' : JSON.stringify(v)));
  return shown.length <= 1 ? (shown[0] ?? '') : `${shown.slice(0, -1).join(', ')} or ${shown.at(-1)}`;
}

/** ` (did you mean "x"?)` when close, else ` (expected one of …)` when `list`, else ''. */
export function suggestion(word: unknown, candidates: readonly string[], list = true): string {
  const guess = typeof word === 'string' ? didYouMean(word, candidates) : undefined;
  if (guess) return ` (expected one of ${candidates.join(', ')}; did you mean "${guess}"?)`;
  return list && candidates.length ? ` (expected one of ${candidates.join(', ')})` : '';
}

/** The value at `path` in plain data. */
export function valueAt(data: unknown, path: readonly PathSegment[]): unknown {
  let node = data;
  for (const segment of path) {
    if (Array.isArray(node)) node = node[Number(segment)];
    else if (isObject(node)) node = node[String(segment)];
    else return undefined;
  }
  return node;
}

/**
 * What one schema error means to a person. `explain` returns the message for an error it knows
 * better (by where the failing keyword sits in the schema), `null` to drop the error, or undefined
 * for the generic wording.
 */
export interface SchemaError {
  error: ErrorObject;
  /** The failing keyword's schema object as a pointer (`#/$defs/deadline/else/then`), if known. */
  pointer: string;
  path: PathSegment[];
  data: unknown;
}

export type Explain = (
  e: SchemaError,
) => { message: string; at?: 'value' | 'key'; path?: PathSegment[]; field?: string } | null | undefined;

/** Adds every schema error of `errors` to `problems`, once each, in words. */
export function explainSchemaErrors(
  errors: readonly ErrorObject[],
  data: unknown,
  schema: CompiledSchema,
  problems: Problems,
  explain: Explain = () => undefined,
): void {
  // A misspelt field is reported once, as the typo, not also as the missing field it was meant to be.
  const typos = new Set<string>();
  for (const e of errors) {
    if (e.keyword !== 'additionalProperties') continue;
    const known = Object.keys((e.parentSchema as { properties?: object } | undefined)?.properties ?? {});
    const guess = didYouMean(String((e.params as Record<string, unknown>).additionalProperty), known);
    if (guess) typos.add(`${e.instancePath}/${guess}`);
  }
  // A value of the wrong type is reported once (union types with if/then/else fail twice).
  const mistyped = new Set<string>();
  const typeBound = new Set(['required', 'oneOf', 'additionalProperties', 'minItems', 'enum', 'pattern']);
  for (const e of errors) {
    if (e.keyword === 'if' || e.keyword === 'propertyNames' || /\/oneOf\/\d+\//.test(e.schemaPath)) continue;
    if (e.keyword === 'type') {
      if (mistyped.has(e.instancePath)) continue;
      mistyped.add(e.instancePath);
    } else if (typeBound.has(e.keyword) && mistyped.has(e.instancePath)) continue;
    const path: PathSegment[] = fromJsonPointer(e.instancePath);
    const params = e.params as Record<string, unknown>;
    if (e.keyword === 'required' && typos.has(`${e.instancePath}/${String(params.missingProperty)}`))
      continue;
    const pointer = schema.pointerOf(e.parentSchema) ?? e.schemaPath;
    const special = explain({ error: e, pointer, path, data });
    if (special === null) continue;
    if (special) {
      problems.add(special.path ?? path, special.message, {
        at: special.at ?? 'value',
        ...(special.field !== undefined ? { field: special.field } : {}),
      });
      continue;
    }
    const generic = genericMessage(e, path);
    problems.add(generic.path ?? path, generic.message, {
      at: generic.at ?? 'value',
      ...(generic.field !== undefined ? { field: generic.field } : {}),
    });
  }
}

function genericMessage(
  e: ErrorObject,
  path: PathSegment[],
): { message: string; at?: 'value' | 'key'; path?: PathSegment[]; field?: string } {
  const params = e.params as Record<string, unknown>;
  if (e.propertyName !== undefined) {
    return {
      path: [...path, e.propertyName],
      at: 'key',
      message: `invalid name (${e.message ?? e.keyword})`,
    };
  }
  switch (e.keyword) {
    case 'required': {
      const missing = String(params.missingProperty);
      return { at: 'key', field: fieldName([...path, missing]), message: 'is required' };
    }
    case 'additionalProperties': {
      const extra = String(params.additionalProperty);
      const known = Object.keys((e.parentSchema as { properties?: object } | undefined)?.properties ?? {});
      const guess = didYouMean(extra, known);
      return {
        path: [...path, extra],
        at: 'key',
        message: `unknown field${guess ? ` (did you mean "${guess}"?)` : known.length ? ` (known: ${known.join(', ')})` : ''}`,
      };
    }
    case 'const':
      return { message: `must be ${JSON.stringify(params.allowedValue)}, got ${show(e.data)}` };
    case 'enum':
      return {
        message: `must be ${oneOf(params.allowedValues as unknown[])}, got ${show(e.data)}${suggestion(
          e.data,
          (params.allowedValues as unknown[]).filter((v): v is string => typeof v === 'string'),
          false,
        )}`,
      };
    case 'type':
      return {
        message: `must be ${typeNames(params.type)}, got ${show(e.data)}${quoteHint(params.type, e.data)}`,
      };
    case 'pattern':
      return { message: `must match /${String(params.pattern)}/, got ${show(e.data)}` };
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum': {
      const op = { minimum: '≥', maximum: '≤', exclusiveMinimum: '>', exclusiveMaximum: '<' }[e.keyword];
      return { message: `must be ${op} ${String(params.limit)}, got ${show(e.data)}` };
    }
    case 'minLength':
      return { message: 'must not be empty' };
    case 'maxLength':
      return {
        message: `must be at most ${String(params.limit)} characters, got ${String((e.data as string).length)}`,
      };
    case 'minItems':
      return { message: `must have at least ${String(params.limit)} item(s)` };
    default:
      return { message: e.message ?? e.keyword };
  }
}

/** `a string or a mapping`. */
export function typeNames(type: unknown): string {
  const list = Array.isArray(type) ? type.map(String) : String(type).split(',');
  const names = list.map((t) => TYPE_NAMES[t] ?? t);
  return names.length <= 1 ? (names[0] ?? '') : `${names.slice(0, -1).join(', ')} or ${names.at(-1)}`;
}

/** When YAML read a scalar as a number or boolean where a string was wanted. */
export function quoteHint(type: unknown, data: unknown): string {
  const types = Array.isArray(type) ? type.map(String) : String(type).split(',');
  return types.includes('string') &&
    !types.includes('number') &&
    !types.includes('integer') &&
    (typeof data === 'number' || typeof data === 'boolean')
    ? ` (YAML reads it as a ${typeof data}: quote it, "${String(data)}")`
    : '';
}

// --- durations -----------------------------------------------------------------------------------

const DURATION_PART = /([0-9]+(?:\.[0-9]+)?)(ms|s|m|h)/g;
const UNIT_SECONDS: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600 };
export const DURATION_HELP = 'a duration such as 500ms, 90s, 2m, 1m30s or a number of seconds';

/** `2m` → 120, `1m30s` → 90, `500ms` → 0.5, `45` → 45; undefined when it is not a duration. */
export function parseDuration(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value !== 'string' || !/^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$/.test(value)) return undefined;
  let seconds = 0;
  for (const [, n, unit] of value.matchAll(DURATION_PART)) seconds += Number(n) * UNIT_SECONDS[unit!]!;
  return Math.round(seconds * 1000) / 1000;
}

/** A written duration that adds up to nothing (`0s`); a number 0 is the schema's to report. */
export function zeroDuration(value: unknown): boolean {
  return typeof value === 'string' && parseDuration(value) === 0;
}

/** Relative to the working directory when inside it, else absolute. */
export function display(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path;
}
