/**
 * The scenario JSON Schema, assembled: the file's frame and the shared definitions (names,
 * durations, deadlines, conditions) from schema.base.json, each step's fragment from its
 * definition (steps/<kind>.ts), and the `step` choice among them. schema.json is this, written out
 * for editors (`npx oneclick scenario schema --write`); a test keeps the two equal.
 */
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compileSchema, type CompiledSchema } from '../yaml/index.js';
import base from './schema.base.json' with { type: 'json' };
import { registryVersion, stepDefinition, stepKinds } from './steps/index.js';

/** The JSON Schema every scenario file is validated against (publishable as is). */
export const SCENARIO_SCHEMA_PATH = join(dirname(fileURLToPath(import.meta.url)), 'schema.json');

export { NAME, REPO } from './steps/support/forms.js';

/** The schema for the steps registered now. */
export function scenarioSchema(): Record<string, unknown> {
  const kinds = stepKinds();
  const steps = Object.fromEntries(kinds.map((k) => [`step-${k}`, stepDefinition(k)!.schema]));
  const ref = (k: string) => ({ $ref: `#/$defs/step-${k}` });
  const bare = kinds.filter((k) => stepDefinition(k)!.bare);
  const step = {
    description: `One step: a bare name (${bare.join(', ')}) or a mapping with one step key (and, optionally, proves).`,
    type: ['string', 'object'],
    if: { type: 'string' },
    then: { enum: bare },
    else: {
      propertyNames: { enum: [...kinds, 'proves'] },
      properties: {
        ...Object.fromEntries(kinds.map((k) => [k, ref(k)])),
        proves: { $ref: '#/$defs/proves' },
      },
      oneOf: kinds.map((k) => ({ required: [k] })),
    },
  };
  return { ...base, $defs: { ...base.$defs, ...steps, step } };
}

let compiled: { version: number; schema: CompiledSchema } | undefined;

/** The compiled schema, compiled again only when a step was registered since. */
export function compiledScenarioSchema(): CompiledSchema {
  if (compiled?.version !== registryVersion())
    compiled = { version: registryVersion(), schema: compileSchema(scenarioSchema()) };
  return compiled.schema;
}

/** Writes schema.json (what `# yaml-language-server: $schema=` in scenario files points at). */
export function writeScenarioSchema(path = SCENARIO_SCHEMA_PATH): void {
  writeFileSync(path, `${JSON.stringify(scenarioSchema(), null, 2)}\n`);
}
