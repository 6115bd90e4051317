import { describe, expect, it } from 'vitest';
import { lansOf } from '../../harness/load/world.js';

describe('the LANs of a load run', () => {
  it('default to min(peers, max(2, ceil(peers / 2)), 12), cycling the NAT presets', () => {
    expect(lansOf({ peers: 1, nat: ['symmetric'] })).toEqual([{ name: 'lan1', nat: 'symmetric' }]);
    expect(lansOf({ peers: 5, nat: ['port-restricted', 'symmetric'] })).toEqual([
      { name: 'lan1', nat: 'port-restricted' },
      { name: 'lan2', nat: 'symmetric' },
      { name: 'lan3', nat: 'port-restricted' },
    ]);
    expect(lansOf({ peers: 100, nat: ['symmetric'] })).toHaveLength(12);
    expect(lansOf({ peers: 4, lans: 1, nat: ['symmetric'] })).toHaveLength(1);
  });
});
