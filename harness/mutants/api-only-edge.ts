import type { Mutant } from './mutant.js';

export const apiOnlyEdge: Mutant = {
  bug: "routes only /api/ of an org's Host to its node: the HTTP API answers, git over HTTP does not",
  policy: () => ({ httpPaths: ['/api/'] }),
};
