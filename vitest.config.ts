import { defineConfig } from 'vitest/config';
import LongestFirst from './test/setup/sequencer.js';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/setup/sweep-stale-runs.ts'],
    testTimeout: 120_000,
    hookTimeout: 300_000,
    // Two cores: chains and containers fight for CPU, so test files run two at a time at most.
    maxWorkers: 2,
    pool: 'forks',
    sequence: { sequencer: LongestFirst },
    reporters: ['default', 'json'],
    outputFile: { json: 'reports/vitest.json' },
  },
});
