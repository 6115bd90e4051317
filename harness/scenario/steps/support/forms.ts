/** The shapes step schemas share (each step's fragment becomes `$defs/step-<kind>`). */
import base from '../../schema.base.json' with { type: 'json' };

/** What a name (org, peer, memory) and a repository name look like. */
export const NAME = new RegExp(base.$defs.name.pattern);
export const REPO = new RegExp(base.$defs.repo.pattern);

export const ref = (def: string) => ({ $ref: `#/$defs/${def}` });
const PROVES = { proves: ref('proves') };

/** Written as a mapping of its fields only: `{ org, repo }`. */
export function mapping(description: string, properties: Record<string, unknown>, required: string[]) {
  return {
    description,
    type: 'object',
    additionalProperties: false,
    required,
    properties: { ...properties, ...PROVES },
  };
}

/** Written as one scalar (`top-up: alpha`, `mine: 3`) or as a mapping of its fields. */
export function scalarOr(
  description: string,
  scalar: { type: string; then: Record<string, unknown> },
  properties: Record<string, unknown>,
  required: string[],
) {
  return {
    description,
    type: [scalar.type, 'object'],
    if: { type: scalar.type },
    then: scalar.then,
    else: { type: 'object', additionalProperties: false, required, properties: { ...properties, ...PROVES } },
  };
}

/** An org as a scalar or `{ org }` (and more fields). */
export function orgStep(description: string, more: Record<string, unknown> = {}) {
  return scalarOr(description, { type: 'string', then: ref('name') }, { org: ref('name'), ...more }, ['org']);
}

/** A container target as a scalar or `{ target }`. */
export function targetForm(description: string) {
  return scalarOr(description, { type: 'string', then: ref('target') }, { target: ref('target') }, [
    'target',
  ]);
}

/** A whole number ≥ 1 as a scalar or `{ <name> }`. */
export function countStep(description: string, name: string) {
  const positive = { type: 'integer', minimum: 1 };
  return scalarOr(description, { type: 'integer', then: { minimum: 1 } }, { [name]: positive }, [name]);
}

/** Bare, empty or a mapping with only proves: `- confirm`, `- heal:`. */
export function bare(description: string) {
  return {
    description,
    type: ['null', 'object'],
    if: { type: 'object' },
    then: { type: 'object', additionalProperties: false, properties: PROVES },
  };
}

/** A number of blocks, or one counted from the profile's confirmations: `3`, `confirmations+1`. */
export type Blocks = number | { confirmations: number };

/** A count of blocks written relative to the profile's confirmations. */
export const RELATIVE_BLOCKS = '^confirmations([+-][1-9][0-9]*)?$';

/** As countStep, but the count may also be `confirmations`, `confirmations+k` or `confirmations-k`. */
export function blocksStep(description: string, name: string) {
  const relative = { type: 'string', pattern: RELATIVE_BLOCKS };
  const blocks = {
    type: ['integer', 'string'],
    if: { type: 'integer' },
    then: { minimum: 1 },
    else: relative,
  };
  return {
    description,
    type: ['integer', 'string', 'object'],
    if: { type: 'integer' },
    then: { minimum: 1 },
    else: {
      if: { type: 'string' },
      then: relative,
      else: {
        type: 'object',
        additionalProperties: false,
        required: [name],
        properties: { [name]: blocks, ...PROVES },
      },
    },
  };
}

/** The written count as the model keeps it (after the schema accepted it). */
export function blocksOf(value: unknown): Blocks {
  if (typeof value === 'number') return value;
  const offset = String(value).slice('confirmations'.length);
  return { confirmations: offset ? Number(offset) : 0 };
}

/** How many blocks, with the profile's confirmations. */
export const resolveBlocks = (b: Blocks, confirmations: number): number =>
  typeof b === 'number' ? b : confirmations + b.confirmations;

/** `3`, or `confirmations+1 (= 3)`. */
export function describeBlocks(b: Blocks, confirmations: number): string {
  if (typeof b === 'number') return String(b);
  const k = b.confirmations;
  return `confirmations${k ? (k > 0 ? `+${k}` : k) : ''} (= ${resolveBlocks(b, confirmations)})`;
}
