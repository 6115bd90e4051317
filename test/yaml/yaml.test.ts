import { describe, expect, it } from 'vitest';
import {
  compileSchema,
  didYouMean,
  explainSchemaErrors,
  formatProblem,
  readYaml,
  typeNames,
} from '../../harness/yaml/index.js';

const OPTIONS = { empty: 'expected a mapping', oneDocument: 'one document per file' };
const SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['name'],
  properties: { name: { type: 'string', pattern: '^[a-z]+$' }, size: { type: 'integer', minimum: 1 } },
};

/** Every problem of `source` against SCHEMA, formatted. */
function problemsOf(source: string, explain?: Parameters<typeof explainSchemaErrors>[4]): string[] {
  const { data, problems } = readYaml(source, 'f.yaml', OPTIONS);
  if (data !== undefined) {
    const schema = compileSchema(SCHEMA);
    explainSchemaErrors(schema.errors(data), data, schema, problems, explain);
  }
  return problems.sorted().map(formatProblem);
}

describe('harness/yaml: YAML + JSON Schema → positioned problems', () => {
  it('positions schema errors at the value or key, once each, a typo as the typo', () => {
    expect(problemsOf('nmae: x\nsize: 0\n')).toEqual([
      'f.yaml:1:1: nmae: unknown field (did you mean "name"?)',
      'f.yaml:2:7: size: must be ≥ 1, got 0',
    ]);
    expect(problemsOf('name: 3\n')).toEqual([
      'f.yaml:1:7: name: must be a string, got 3 (YAML reads it as a number: quote it, "3")',
    ]);
  });

  it('lets a loader word what it knows better, and drop what it reports itself', () => {
    const explain = ({ error }: { error: { keyword: string } }) =>
      error.keyword === 'pattern' ? { message: 'must be lower-case letters' } : undefined;
    expect(problemsOf('name: Abc\n', explain)).toEqual(['f.yaml:1:7: name: must be lower-case letters']);
    expect(problemsOf('name: Abc\n', () => null)).toEqual([]);
  });

  it('syntax errors, several documents and an empty file', () => {
    expect(problemsOf('name: [x\n')[0]).toMatch(/^f\.yaml:\d+:\d+: YAML syntax error: /);
    expect(problemsOf('name: a\n---\nname: b\n')).toEqual([
      'f.yaml:2:1: YAML syntax error: one document per file',
    ]);
    expect(problemsOf('# nothing\n')).toEqual(['f.yaml:1:1: is empty: expected a mapping']);
  });

  it('says types and near misses in words', () => {
    expect(typeNames(['string', 'object', 'null'])).toBe('a string, a mapping or empty');
    expect(didYouMean('readyness', ['readiness', 'image'])).toBe('readiness');
    expect(didYouMean('colour', ['readiness', 'image'])).toBeUndefined();
  });
});
