import { describe, expect, it } from 'vitest';
import { orgNodeEnv, parseNodeAddress, parseShowRef } from '../../harness/peers/index.js';

describe('peer helpers (no engine)', () => {
  it('parses git show-ref output into refname -> oid, sorted by refname', () => {
    const a = 'a'.repeat(40);
    const b = 'b'.repeat(40);
    const text = `${b} refs/rad/id\n${a} refs/heads/main\n\n`;
    expect(parseShowRef(text)).toEqual({ 'refs/heads/main': a, 'refs/rad/id': b });
    expect(Object.keys(parseShowRef(text))).toEqual(['refs/heads/main', 'refs/rad/id']);
  });

  it('splits NID@host:port and refuses anything else', () => {
    const nid = 'z6MktULudTtAsAhRegYPiZ6631RV3viv12qd4GQF8z1xB22S';
    expect(parseNodeAddress(`${nid}@seed.org.test:8776`)).toEqual({ nid, host: 'seed.org.test', port: 8776 });
    expect(() => parseNodeAddress('seed.org.test:8776')).toThrow(/NID@host:port/);
  });

  it('maps node options onto the entrypoint environment', () => {
    expect(
      orgNodeEnv({
        alias: 'a',
        seedingPolicy: 'allow',
        externalAddresses: ['x.test:1', 'y.test:2'],
        configPatch: { node: { workers: 2 } },
      }),
    ).toEqual({
      ONECLICK_CONTROL_LISTEN: '0.0.0.0:8781',
      RAD_ALIAS: 'a',
      RAD_SEEDING_POLICY: 'allow',
      RAD_EXTERNAL_ADDRESSES: 'x.test:1,y.test:2',
      RAD_CONFIG_PATCH: '{"node":{"workers":2}}',
    });
  });
});
