import { rm } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Mutant } from './mutant.js';

export const amnesia: Mutant = {
  bug: 'forgets its state on every start and watches from the head: earlier deployments are strays',
  policy: () => ({
    async start(config, { stateFile, head }) {
      for (const suffix of ['', '-wal', '-shm']) await rm(`${stateFile}${suffix}`, { force: true });
      return { ...config, startBlock: await retried(head) };
    },
  }),
};

/** The chain may not answer yet at start. */
async function retried<T>(fn: () => Promise<T>, attempts = 60): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await fn();
    } catch (error) {
      if (i >= attempts) throw error;
      await sleep(1000);
    }
  }
}
