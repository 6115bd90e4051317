/**
 * Longest first. A whole certification takes minutes; on a fresh clone vitest has no durations
 * cached and orders files by size, which starts the (small) certification files last and leaves one
 * worker idle while the other finishes them. These go first, in this order; the rest as vitest sorts.
 */
import { relative } from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

const FIRST = [
  'test/certify/mutants-a.test.ts',
  'test/certify/mutants-b.test.ts',
  'test/certify/reference.test.ts',
  'test/certify/go-provider.test.ts',
  'test/playground/dashboard-browser.test.ts',
  'test/deployer/runtime.test.ts',
];

export default class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const rank = (f: TestSpecification) => {
      const i = FIRST.indexOf(relative(f.project.config.root, f.moduleId).split('\\').join('/'));
      return i === -1 ? FIRST.length : i;
    };
    return sorted
      .map((file, order) => ({ file, order }))
      .sort((a, b) => rank(a.file) - rank(b.file) || a.order - b.order)
      .map(({ file }) => file);
  }
}
