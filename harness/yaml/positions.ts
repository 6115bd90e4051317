/**
 * Maps a path in a parsed YAML document (what a JSON Schema validator reports as `instancePath`) back
 * to a line and column of the source, for error messages that point at the offending text.
 */
import { isMap, isPair, isScalar, isSeq, type Document, type LineCounter, type Node } from 'yaml';

export interface SourcePosition {
  /** 1-based. */
  line: number;
  /** 1-based. */
  column: number;
}

export type PathSegment = string | number;

/** `/env/A~1B` → ['env', 'A/B'] (RFC 6901). */
export function fromJsonPointer(pointer: string): string[] {
  if (!pointer) return [];
  return pointer
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** `['readiness', 'exec', 0]` → `readiness.exec[0]`. */
export function fieldName(path: readonly PathSegment[]): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number' || /^\d+$/.test(segment)) out += `[${segment}]`;
    else out += out ? `.${segment}` : segment;
  }
  return out;
}

export class SourceMap {
  constructor(
    private readonly doc: Document,
    private readonly lines: LineCounter,
  ) {}

  /**
   * Where the value at `path` starts; with `at: 'key'`, where its key starts (for unknown or
   * misnamed fields). A path that does not exist (a missing field) points at the deepest existing
   * ancestor: its key when it has one, else the start of the document.
   */
  position(path: readonly PathSegment[], at: 'value' | 'key' = 'value'): SourcePosition {
    let node: unknown = this.doc.contents;
    let keyNode: Node | undefined;
    let found = 0;
    for (const segment of path) {
      const next = child(node, segment);
      if (!next) break;
      node = next.value;
      keyNode = next.key;
      found += 1;
    }
    const complete = found === path.length;
    let offset: number | undefined;
    if (at === 'key' || !complete || !hasRange(node)) offset = rangeStart(keyNode);
    else offset = rangeStart(node);
    if (offset === undefined && complete && at === 'key') offset = rangeStart(node);
    if (offset === undefined) offset = rangeStart(this.doc.contents) ?? 0;
    return this.at(offset);
  }

  at(offset: number): SourcePosition {
    const { line, col } = this.lines.linePos(offset);
    return { line, column: col };
  }
}

function child(node: unknown, segment: PathSegment): { key?: Node; value: unknown } | undefined {
  if (isMap(node)) {
    for (const pair of node.items) {
      if (!isPair(pair)) continue;
      const key = isScalar(pair.key) ? pair.key.value : pair.key;
      if (String(key) === String(segment)) return { key: pair.key as Node, value: pair.value };
    }
    return undefined;
  }
  if (isSeq(node)) {
    const item = node.items[Number(segment)];
    return item === undefined ? undefined : { value: item };
  }
  return undefined;
}

function hasRange(node: unknown): node is Node {
  return rangeStart(node) !== undefined;
}

function rangeStart(node: unknown): number | undefined {
  const range = (node as { range?: [number, number, number] } | null | undefined)?.range;
  return range ? range[0] : undefined;
}
