import type { Mutant } from './mutant.js';

export const ephemeralStorage: Mutant = {
  bug: 'org-node data on a tmpfs, not a volume: a node restart or a renewal gets a new NID',
  // Emptied on every stop of the container.
  policy: () => ({ dataMount: () => ({ Type: 'tmpfs', Source: '', Target: '/radicle' }) }),
};
