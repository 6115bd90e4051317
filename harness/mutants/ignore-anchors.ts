import type { Mutant } from './mutant.js';

export const ignoreAnchors: Mutant = {
  bug: 'never seeds anchored repositories',
  policy: () => ({ seedsAnchors: false }),
};
