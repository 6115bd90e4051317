/**
 * The steps of the scenario language: every file of this folder but define.ts and this one defines
 * one step (defineStep), so a new step is a new file here and nothing else. The language lists them
 * (in usage, errors and the schema) by each step's `order`.
 */
import { readdirSync } from 'node:fs';
import { dirname, extname } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const own = new Set(['define', 'index']);
for (const file of readdirSync(here).sort()) {
  const ext = extname(file);
  if ((ext === '.ts' || ext === '.js') && !file.endsWith('.d.ts') && !own.has(file.slice(0, -ext.length)))
    await import(/* @vite-ignore */ `./${file}`);
}

export {
  defineStep,
  isStepKind,
  registryVersion,
  stepDefinition,
  stepKinds,
  text,
  valueOf,
  count,
  type Declarations,
  type Field,
  type RawStep,
  type StepCheck,
  type StepChecks,
  type StepDefinition,
  type StepOutcome,
} from './define.js';
