/**
 * JSON Schema (draft 2020-12, ajv) errors in words, positioned: every error once, a misspelt field
 * as the typo (not also as the field it was meant to be), a mistyped value once. A loader's
 * `explain` words the errors it knows better; the rest get the generic wording here.
 */
import _Ajv2020 from 'ajv/dist/2020.js';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { fieldName, fromJsonPointer, type PathSegment } from './positions.js';
import type { Problems } from './problems.js';
import { didYouMean, oneOf, quoteHint, show, suggestion, typeNames } from './words.js';

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

/** One schema error, with where its failing keyword sits in the schema and where the value is. */
export interface SchemaError {
  error: ErrorObject;
  /** The failing keyword's schema object as a pointer (`#/$defs/deadline/else/then`), if known. */
  pointer: string;
  path: PathSegment[];
  data: unknown;
}

export interface Explained {
  message: string;
  at?: 'value' | 'key';
  path?: PathSegment[];
  field?: string;
}

/** The message for an error a loader words better, `null` to drop it, undefined for the generic one. */
export type Explain = (e: SchemaError) => Explained | null | undefined;

/** Adds every schema error of `errors` to `problems`, once each, in words. */
export function explainSchemaErrors(
  errors: readonly ErrorObject[],
  data: unknown,
  schema: CompiledSchema,
  problems: Problems,
  explain: Explain = () => undefined,
): void {
  const typos = new Set<string>();
  for (const e of errors) {
    if (e.keyword !== 'additionalProperties') continue;
    const guess = didYouMean(String((e.params as Record<string, unknown>).additionalProperty), known(e));
    if (guess) typos.add(`${e.instancePath}/${guess}`);
  }
  // A value of the wrong type is reported once (union types with if/then/else fail twice), and what
  // applies only to the right type is noise.
  const mistyped = new Set(errors.filter((e) => e.keyword === 'type').map((e) => e.instancePath));
  const typed = new Set<string>();
  const typeBound = new Set([
    'required',
    'oneOf',
    'additionalProperties',
    'minItems',
    'uniqueItems',
    'enum',
    'pattern',
  ]);
  for (const e of errors) {
    // oneOf branches ({ required: [x] }) are explained by their oneOf; propertyNames by its inner errors.
    if (e.keyword === 'if' || e.keyword === 'propertyNames' || /\/oneOf\/\d+\//.test(e.schemaPath)) continue;
    if (e.keyword === 'type') {
      if (typed.has(e.instancePath)) continue;
      typed.add(e.instancePath);
    } else if (typeBound.has(e.keyword) && mistyped.has(e.instancePath)) continue;
    const path: PathSegment[] = fromJsonPointer(e.instancePath);
    const params = e.params as Record<string, unknown>;
    if (e.keyword === 'required' && typos.has(`${e.instancePath}/${String(params.missingProperty)}`))
      continue;
    const pointer = schema.pointerOf(e.parentSchema) ?? e.schemaPath;
    const special = explain({ error: e, pointer, path, data });
    if (special === null) continue;
    const worded = special ?? genericMessage(e, path);
    problems.add(worded.path ?? path, worded.message, {
      at: worded.at ?? 'value',
      ...(worded.field !== undefined ? { field: worded.field } : {}),
    });
  }
}

/** The fields the schema object of an additionalProperties error knows. */
function known(e: ErrorObject): string[] {
  return Object.keys((e.parentSchema as { properties?: object } | undefined)?.properties ?? {});
}

function genericMessage(e: ErrorObject, path: PathSegment[]): Explained {
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
      const fields = known(e);
      const guess = didYouMean(extra, fields);
      return {
        path: [...path, extra],
        at: 'key',
        message: `unknown field${guess ? ` (did you mean "${guess}"?)` : fields.length ? ` (known: ${fields.join(', ')})` : ''}`,
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
    case 'uniqueItems': {
      const [i, j] = [Number(params.i), Number(params.j)];
      return { message: `must not repeat items (item ${Math.max(i, j)} repeats item ${Math.min(i, j)})` };
    }
    default:
      return { message: e.message ?? e.keyword };
  }
}
