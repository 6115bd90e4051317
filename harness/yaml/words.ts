/** How problems name values, types and near misses: the wording every loader shares. */
import type { PathSegment } from './positions.js';

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

/** `a string or a mapping`; `a, b or c`. */
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

/** A value as an error shows it: scalars as YAML would, collections by kind. */
export function show(value: unknown): string {
  if (value === null || value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
  return String(value);
}

/** `"a", "b" or "c"`. */
export function oneOf(values: readonly unknown[]): string {
  const shown = values.map((v) => (v === null ? 'nothing' : JSON.stringify(v)));
  return shown.length <= 1 ? (shown[0] ?? '') : `${shown.slice(0, -1).join(', ')} or ${shown.at(-1)}`;
}

/** The closest known name, when it is close enough to be a typo (or differs only in case). */
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

/** ` (expected one of …; did you mean "x"?)` when close, else ` (expected one of …)` when `list`, else ''. */
export function suggestion(word: unknown, candidates: readonly string[], list = true): string {
  const guess = typeof word === 'string' ? didYouMean(word, candidates) : undefined;
  if (guess) return ` (expected one of ${candidates.join(', ')}; did you mean "${guess}"?)`;
  return list && candidates.length ? ` (expected one of ${candidates.join(', ')})` : '';
}

/** `; did you mean "x"?` when close, else ''. */
export function hint(word: string, candidates: readonly string[]): string {
  const guess = didYouMean(word, candidates);
  return guess ? `; did you mean "${guess}"?` : '';
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

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
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
