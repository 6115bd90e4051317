import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadScenarios } from '../../harness/scenario/parse.js';
import { REQUIREMENTS } from '../../harness/spec/requirements.js';

interface SpecEntry {
  id: string;
  level: string;
  title: string;
  scenarios: string[];
}

/** SPEC.md §5 (up to §6) as data: `### ID — LEVEL`, the title paragraph, and the `- Scenarios:` line. */
function specRequirements(): SpecEntry[] {
  const text = readFileSync(new URL('../../SPEC.md', import.meta.url), 'utf8');
  const next = text.indexOf('\n## 6.');
  const section = text.slice(text.indexOf('## 5. Requirements'), next === -1 ? undefined : next);
  return section
    .split(/^### /m)
    .slice(1)
    .map((block) => {
      const [heading, , title] = block.split('\n');
      const [id, level] = heading!.split(' — ');
      const scenarios = /^- Scenarios: (.*)$/m.exec(block)?.[1] ?? '';
      return {
        id: id!.trim(),
        level: level!.trim(),
        title: title!.trim().replace(/\.$/, ''),
        scenarios: [...scenarios.matchAll(/`([^`]+)`/g)].map((m) => m[1]!),
      };
    });
}

describe('SPEC.md §5 and the requirement registry', () => {
  it('list the same requirements, in the same order, with the same levels and titles', () => {
    expect(specRequirements().map(({ id, level, title }) => ({ id, level, title }))).toEqual(
      REQUIREMENTS.map(({ id, level, title }) => ({ id, level, title })),
    );
  });

  it('name, for every requirement, exactly the shipped scenarios that prove it (at least one)', () => {
    const scenarios = loadScenarios('scenarios/*.yaml');
    for (const entry of specRequirements()) {
      const proving = scenarios.filter((s) => s.proves.includes(entry.id as never)).map((s) => s.id);
      expect(proving.length, `${entry.id} is proved by no scenario`).toBeGreaterThan(0);
      expect(entry.scenarios, `SPEC.md's scenarios of ${entry.id}`).toEqual(proving);
    }
  });
});
