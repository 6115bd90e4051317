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
