import { describe, expect, it } from 'vitest';
import { servedScope } from '../../harness/certify/index.js';
import { loadScenarios } from '../../harness/scenario/parse.js';
import { REQUIREMENT_IDS } from '../../harness/spec/requirements.js';

describe('certify: a provider is judged on the provider contracts it serves (manifest currencies)', () => {
  const shipped = loadScenarios('scenarios/*.yaml');
  const ids = (list: readonly { id: string }[]) => list.map((x) => x.id);

  it('by default both: every scenario and every requirement', () => {
    const scope = servedScope(undefined, shipped);
    expect(ids(scope.scenarios)).toEqual(ids(shipped));
    expect(ids(scope.requirements)).toEqual(REQUIREMENT_IDS);
    expect(scope.leftOut).toEqual([]);
  });

  it('eth only: the token scenarios left out, and the token requirements not judged', () => {
    const scope = servedScope(['eth'], shipped);
    expect(ids(scope.leftOut)).toEqual(['token-payments', 'token-top-ups']);
    expect(ids(scope.requirements)).toEqual(
      REQUIREMENT_IDS.filter((id) => !['CHAIN-TOKEN', 'PROV-TOKEN'].includes(id)),
    );
  });

  it('token only: only the token scenarios (the others pay ether), every requirement judged', () => {
    const scope = servedScope(['token'], shipped);
    expect(ids(scope.scenarios)).toEqual(['token-payments', 'token-top-ups']);
    expect(ids(scope.requirements)).toEqual(REQUIREMENT_IDS);
  });
});
