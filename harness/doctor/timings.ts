/** The set-up timings `scripts/bootstrap.sh` keeps: how long each step of the last set-up took. */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { cacheRoot } from '../images/paths.js';

export interface SetupTimings {
  at: string;
  exit: number;
  totalMs: number;
  steps: Array<{ step: string; ms: number }>;
}

export const timingsFile = () => join(cacheRoot(), 'setup-timings.json');

/** The last bootstrap's timings, or undefined when none was recorded on this machine. */
export async function lastSetupTimings(file = timingsFile()): Promise<SetupTimings | undefined> {
  const text = await readFile(file, 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as SetupTimings;
  } catch {
    throw new Error(`${file}: not the JSON scripts/bootstrap.sh writes (run it again)`);
  }
}

const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`.padStart(9);

export function formatTimings(t: SetupTimings): string {
  const outcome = t.exit === 0 ? 'finished' : `failed (exit ${t.exit})`;
  return [
    `set-up at ${t.at}: ${outcome} in ${secs(t.totalMs).trim()}`,
    ...t.steps.map((s) => `${secs(s.ms)}  ${s.step}`),
  ].join('\n');
}
