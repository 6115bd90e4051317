/**
 * A problem in a file a person wrote, as every loader reports it: `file:line:column: field: message`,
 * collected all at once and shown in file order.
 */
import { isAbsolute, relative } from 'node:path';
import { fieldName, type PathSegment, type SourceMap } from './positions.js';

export interface Problem {
  /** As displayed: relative to the working directory when inside it. */
  file: string;
  line?: number;
  column?: number;
  /** Dotted field path (`readiness.http.port`, `steps[2].wait`); absent for file-level problems. */
  field?: string;
  message: string;
}

/** `file:line:column: field: message`. */
export function formatProblem(p: Problem): string {
  const where = p.line === undefined ? p.file : `${p.file}:${p.line}:${p.column ?? 1}`;
  return `${where}: ${p.field ? `${p.field}: ` : ''}${p.message}`;
}

/** In file order (a stable sort: problems at one position keep the order they were found in). */
export function sortProblems<P extends Problem>(problems: readonly P[]): P[] {
  return [...problems].sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
}

/** Collects problems of one file, each positioned by its path in the document, each once. */
export class Problems {
  private readonly list: Problem[] = [];
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

  push(problem: Problem) {
    const key = formatProblem(problem);
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.list.push(problem);
  }

  sorted(): Problem[] {
    return sortProblems(this.list);
  }
}

/** Relative to the working directory when inside it, else absolute. */
export function display(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path;
}
