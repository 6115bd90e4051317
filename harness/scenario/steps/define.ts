/**
 * A scenario step, defined in one place: how it is written (its JSON Schema fragment and form), what
 * a schema cannot say about it, the model it builds and what it does to the world. Each step file
 * calls defineStep once; steps/index.ts loads every file of the folder.
 */
import type { Problems, PathSegment } from '../../yaml/index.js';
import type { ScenarioContext } from '../context.js';
import type { OrgSpec, StepBase, StepForms } from '../model.js';

/** One field of a step as written, with where it is. */
export interface Field {
  value: unknown;
  path: PathSegment[];
}

/** A step as read from the file, before it is checked and built. */
export interface RawStep {
  index: number;
  kind: string;
  fields: Map<string, Field>;
  /** proves, from inside the step or next to it. */
  proves?: Field;
  line: number;
}

/** Names steps make for later steps to use, and where (create-repo's repo, remember's as, bursts). */
export interface Declarations {
  repos: Map<string, RawStep>;
  memories: Map<string, RawStep[]>;
  bursts: number[];
}

/** Checks of one step's names against the world and the declarations (see parse/names.ts). */
export interface StepChecks {
  readonly problems: Problems;
  readonly declarations: Declarations;
  /** How an org is declared (undefined: not declared). */
  orgKind(name: string): OrgSpec['kind'] | undefined;
  /** A declared org; `target`: it came from `node:<org>`. */
  org(f: Field | undefined, target?: boolean): void;
  peer(f: Field | undefined): void;
  /** A repo some earlier create-repo makes. */
  repo(f: Field | undefined): void;
  /** A name some earlier remember defines, for `forOrg`. */
  since(f: Field | undefined, forOrg: unknown): void;
  /** A written duration longer than 0. */
  positive(f: Field | undefined): void;
  /** The checks a step gets by its fields' names: org, peer, repo, target (`node:<org>`). */
  byName(step: RawStep, fields: readonly string[]): void;
}

/** A check a step made: becomes evidence for each requirement the step proves. */
export interface StepCheck {
  holds: boolean;
  expected: string;
  observed: Record<string, unknown>;
  /** The deadline it was judged within. */
  deadline?: { name?: string; seconds: number };
  /** What the report says when it does not hold (default: expected). */
  failure?: string;
  /**
   * The check one obligation at a time, each its own evidence line: for the step's `proves`, or
   * (with `requirement`) for the requirement the obligation belongs to. Without lines, the check
   * itself is the one line for each of `proves`.
   */
  lines?: { requirement?: string; holds: boolean; expected: string; problem?: string }[];
}

export interface StepOutcome {
  /** Replaces the step's description in the report. */
  summary?: string;
  facts?: Record<string, unknown>;
  check?: StepCheck;
  /**
   * Later steps count on this check (a `wait`): when it fails the scenario goes on, but later
   * failures are marked as perhaps following from it.
   */
  stopsOnFailure?: boolean;
}

/** The model fields of a step kind (a shipped step's are declared in model.ts's StepForms). */
export type BodyOf<K extends string> = K extends keyof StepForms ? StepForms[K] : Record<string, unknown>;
export type StepOf<K extends string> = StepBase & { kind: K } & BodyOf<K>;

export interface StepDefinition<K extends string = string> {
  kind: K;
  /** Where the language lists it (usage, errors, schema); without one, after every step that has one. */
  order?: number;
  /** Its JSON Schema: `$defs/step-<kind>` of the scenario schema. */
  schema: Record<string, unknown>;
  /** Its own fields (`?`: optional); `proves` is always allowed. */
  fields: readonly string[];
  /** The field a scalar value stands for: `top-up: alpha` → org. */
  scalar?: string;
  /** How the scalar is shown in usage (default `<scalar>`). */
  scalarHint?: string;
  /** May be written as a bare name or with no value (`- confirm`, `- heal:`). */
  bare?: boolean;
  /** A judging step: the key naming its condition and its deadline's key. */
  judging?: { key: 'until' | 'that'; timing: 'within' | 'for' };
  /** Looks without acting (as a judging step does): later deadlines still count from the last act. */
  observes?: boolean;
  /** Names it makes for later steps (called for every step before any is checked). */
  declare?(step: RawStep, declarations: Declarations, problems: Problems): void;
  /** What the schema cannot say about it (default: the checks by field name). */
  check?(step: RawStep, checks: StepChecks): void;
  /** The model of a checked step (only called when the scenario has no problems). */
  build(step: RawStep): BodyOf<K>;
  /** What the report calls it before it runs (default: its kind). */
  describe?(step: StepOf<K>): string;
  run(ctx: ScenarioContext, step: StepOf<K>): Promise<StepOutcome>;
}

const registry = new Map<string, StepDefinition>();
let version = 0;

/** Registers a step (a later definition of the same kind replaces it) and returns it. */
export function defineStep<K extends string>(definition: StepDefinition<K>): StepDefinition<K> {
  registry.set(definition.kind, definition as unknown as StepDefinition);
  version += 1;
  return definition;
}

export function stepDefinition(kind: string): StepDefinition | undefined {
  return registry.get(kind);
}

export function isStepKind(kind: string): boolean {
  return registry.has(kind);
}

/** Every registered kind, in the language's order (by `order`, then as registered). */
export function stepKinds(): string[] {
  const rank = (d: StepDefinition) => d.order ?? Number.POSITIVE_INFINITY;
  return [...registry.values()].sort((a, b) => rank(a) - rank(b)).map((d) => d.kind);
}

/** Changes whenever a step is registered (what a compiled schema is cached by). */
export function registryVersion(): number {
  return version;
}

/** A field's value as the model has it (the schema has checked its type). */
export function text(step: RawStep, name: string): string {
  return step.fields.get(name)?.value as string;
}

export function count(step: RawStep, name: string): number | undefined {
  return step.fields.get(name)?.value as number | undefined;
}

export function valueOf(step: RawStep, name: string): unknown {
  return step.fields.get(name)?.value;
}
