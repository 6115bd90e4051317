import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

describe('oneclick images', () => {
  it('`images build edge` is idempotent: a second run reports the same tag as cached', async () => {
    const first = await runCli(['images', 'build', 'edge'], {}, 600_000);
    expect(first.code, first.stderr).toBe(0);
    const second = await runCli(['images', 'build', 'edge'], {}, 60_000);
    expect(second.code, second.stderr).toBe(0);
    const [tag, state] = second.stdout.trim().split('\t');
    expect(tag).toMatch(/^oneclick\/edge:[0-9a-f]{12}$/);
    expect(first.stdout.startsWith(`${tag}\t`)).toBe(true);
    expect(state).toBe('cached');
    expect(second.stderr).toContain(`[images] edge: cached ${tag}`);
  });

  it('`images list` shows the images it built', async () => {
    const result = await runCli(['images', 'list', '--json']);
    expect(result.code).toBe(0);
    const images = JSON.parse(result.stdout) as Array<{ name: string; tags: string[] }>;
    expect(images.find((i) => i.name === 'edge')?.tags).toContain('oneclick/edge:latest');
  });

  it('refuses an unknown image name with exit code 2 and the known names', async () => {
    const result = await runCli(['images', 'build', 'nope']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/unknown image nope \(known: .*org-node/);
  });
});
