/**
 * The deployer ships alone: it imports nothing from harness/ outside harness/deployer (only the
 * contract ABIs and npm packages), and has no import cycle. The mutants build on it from outside,
 * through its public seam (harness/deployer/index.ts) only.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DEPLOYER = join(ROOT, 'harness/deployer');
const MUTANTS = join(ROOT, 'harness/mutants');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

/** The project files `file` imports (relative imports, resolved to their .ts source). */
function imports(file: string): string[] {
  const source = readFileSync(file, 'utf8');
  return [...source.matchAll(/(?:from|import) '(\.[^']+)'/g)].map((m) =>
    resolve(dirname(file), m[1]!).replace(/\.js$/, '.ts'),
  );
}

const rel = (file: string) => relative(ROOT, file);

describe('the deployer ships alone', () => {
  it('imports nothing from harness/ outside harness/deployer but the contract ABIs', () => {
    const files = sources(DEPLOYER);
    expect(files.length).toBeGreaterThan(10);
    for (const file of files) {
      for (const target of imports(file)) {
        const inside = !relative(DEPLOYER, target).startsWith('..');
        expect(inside || rel(target) === 'contracts/index.ts', `${rel(file)} imports ${rel(target)}`).toBe(
          true,
        );
      }
    }
  });

  it('has no import cycle', () => {
    const graph = new Map(
      sources(DEPLOYER).map((f) => [f, imports(f).filter((t) => t.startsWith(DEPLOYER))]),
    );
    const done = new Set<string>();
    const visit = (file: string, path: string[]): void => {
      const at = path.indexOf(file);
      if (at !== -1) throw new Error(`import cycle: ${[...path.slice(at), file].map(rel).join(' → ')}`);
      if (done.has(file)) return;
      for (const next of graph.get(file) ?? []) visit(next, [...path, file]);
      done.add(file);
    };
    for (const file of graph.keys()) visit(file, []);
  });

  it('mentions no mutant: the reference is the reference', () => {
    for (const file of sources(DEPLOYER)) {
      expect(readFileSync(file, 'utf8'), rel(file)).not.toMatch(/defect|mutant/i);
    }
  });
});

describe('the mutants', () => {
  it('import only the deployer’s public seam (harness/deployer/index.ts) and each other', () => {
    for (const file of sources(MUTANTS)) {
      for (const target of imports(file)) {
        const own = !relative(MUTANTS, target).startsWith('..');
        expect(
          own || rel(target) === 'harness/deployer/index.ts',
          `${rel(file)} imports ${rel(target)}`,
        ).toBe(true);
      }
    }
  });
});
