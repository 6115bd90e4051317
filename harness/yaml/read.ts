/** One YAML document with positions: syntax errors and an empty file become problems. */
import { LineCounter, parseDocument, type Document, type YAMLError } from 'yaml';
import { SourceMap } from './positions.js';
import { Problems, type Problem } from './problems.js';

export interface ReadYamlOptions {
  /** What an empty file should have held (`is empty: <empty>`). */
  empty: string;
  /** What to say about a `---` separator (one file, one document). */
  oneDocument: string;
  /** Say which key appears twice (else YAML's own wording). */
  nameDuplicateKeys?: boolean;
}

export interface ReadYaml {
  /** The document as plain data (absent after a syntax error or for an empty file). */
  data?: unknown;
  /** The document itself, for readers that look at nodes (quoting, ranges). */
  doc: Document;
  map: SourceMap;
  problems: Problems;
  /** Whether the text parsed as YAML (an empty file did). */
  syntaxOk: boolean;
}

/** Parses text into a document and its positions; no judgement (see readYaml). */
export function parseYaml(source: string): { doc: Document; map: SourceMap } {
  const lines = new LineCounter();
  const doc = parseDocument(source, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  return { doc, map: new SourceMap(doc, lines) };
}

/** Parses one YAML document; syntax errors (with their line and column) and an empty file are problems. */
export function readYaml(source: string, file: string, options: ReadYamlOptions): ReadYaml {
  const { doc, map } = parseYaml(source);
  const problems = new Problems(file, map);
  for (const error of [...doc.errors, ...doc.warnings])
    problems.push(yamlProblem(error, source, file, map, options));
  if (problems.count) return { doc, map, problems, syntaxOk: false };
  if (doc.contents === null) {
    problems.push({ file, line: 1, column: 1, message: `is empty: ${options.empty}` });
    return { doc, map, problems, syntaxOk: true };
  }
  return { data: doc.toJS({ maxAliasCount: 100 }) as unknown, doc, map, problems, syntaxOk: true };
}

function yamlProblem(
  error: YAMLError,
  source: string,
  file: string,
  map: SourceMap,
  options: ReadYamlOptions,
): Problem {
  const pos = error.linePos?.[0]
    ? { line: error.linePos[0].line, column: error.linePos[0].col }
    : map.at(error.pos[0]);
  const text =
    error.code === 'MULTIPLE_DOCS'
      ? options.oneDocument
      : error.code === 'DUPLICATE_KEY' && options.nameDuplicateKeys
        ? `${duplicateKey(source, error.pos[0])}appears twice in one mapping (each key once)`
        : error.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
  return { file, line: pos.line, column: pos.column, message: `YAML syntax error: ${text}` };
}

/** `"alpha" ` for the key at `offset`, when it is a plain word. */
function duplicateKey(source: string, offset: number): string {
  const key = /^["']?([^\s:"'{},[\]]+)/.exec(source.slice(offset))?.[1];
  return key ? `"${key}" ` : 'a key ';
}
