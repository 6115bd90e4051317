import { describe, expect, it } from 'vitest';
import { getAddress, keccak256, numberToHex, padHex } from 'viem';
import {
  decodeProviderLog,
  emitters,
  TOPICS,
  type BlockMemo,
  type RpcLog,
} from '../../harness/deployer/events.js';

const PROVIDER = getAddress('0x00000000000000000000000000000000000000aa');
const ORG = getAddress('0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed');
const ORG_KEY = ORG.toLowerCase();
const provider = emitters([PROVIDER]);

function log(over: Partial<RpcLog> = {}): RpcLog {
  return {
    address: PROVIDER.toLowerCase(),
    topics: [TOPICS.newTopUp, padHex(ORG.toLowerCase() as `0x${string}`, { size: 32 })],
    data: numberToHex(1234n, { size: 32 }),
    blockNumber: '0x10',
    blockHash: keccak256('0x01'),
    transactionHash: keccak256('0x02'),
    logIndex: '0x3',
    ...over,
  };
}

const skipped = (l: RpcLog) => {
  const decoded = decodeProviderLog(l, provider);
  return 'skip' in decoded ? decoded.skip : undefined;
};

describe('deployer events: the hand decoder of NewTopUp / DeploymentStopped', () => {
  it('decodes both events strictly: the org lowercase (its key), the value a bigint, the position kept', () => {
    expect(decodeProviderLog(log(), provider)).toEqual({
      ok: {
        kind: 'top-up',
        org: ORG_KEY,
        expiry: 1234n,
        at: {
          blockNumber: 16n,
          blockHash: keccak256('0x01'),
          transactionHash: keccak256('0x02'),
          logIndex: 3,
        },
      },
    });
    const stopped = log({
      topics: [TOPICS.deploymentStopped, log().topics[1]!],
      data: numberToHex(2n ** 64n - 1n, { size: 32 }),
    });
    expect(decodeProviderLog(stopped, provider)).toMatchObject({
      ok: { kind: 'stopped', org: ORG_KEY, atBlock: 2n ** 64n - 1n },
    });
    // Upper-case hex from a node is the same log.
    const shouting = log({
      topics: [
        TOPICS.newTopUp.toUpperCase().replace('0X', '0x'),
        log().topics[1]!.toUpperCase().replace('0X', '0x'),
      ],
    });
    expect(decodeProviderLog(shouting, provider)).toMatchObject({ ok: { org: ORG_KEY } });
  });

  it('ignores a log of another emitter, marked foreign', () => {
    expect(decodeProviderLog(log({ address: ORG }), provider)).toEqual({
      skip: `from foreign contract ${ORG}`,
      foreign: true,
    });
  });

  it('rejects every malformed shape', () => {
    const orgWord = log().topics[1]!;
    const dirty = `0x01${orgWord.slice(4)}`;
    const cases: Array<[string, Partial<RpcLog>, RegExp]> = [
      ['one topic', { topics: [TOPICS.newTopUp] }, /undecodable: topics/],
      ['three topics', { topics: [TOPICS.newTopUp, orgWord, orgWord] }, /undecodable: topics/],
      ['org not left-padded with zeros', { topics: [TOPICS.newTopUp, dirty] }, /undecodable: topics/],
      ['org word too short', { topics: [TOPICS.newTopUp, orgWord.slice(0, 64)] }, /undecodable: topics/],
      ['another event', { topics: [TOPICS.anchored, orgWord] }, /not a deployment event/],
      ['topics not a list', { topics: 'nope' as unknown as string[] }, /malformed topics/],
      ['no data', { data: '0x' }, /data is not one uint64/],
      ['31 bytes of data', { data: numberToHex(1n, { size: 31 }) }, /data is not one uint64/],
      ['64 bytes of data', { data: numberToHex(1n, { size: 64 }) }, /data is not one uint64/],
      ['a value of 2^64', { data: numberToHex(2n ** 64n, { size: 32 }) }, /data is not one uint64/],
      ['data not hex', { data: `0x${'zz'.repeat(32)}` }, /data is not one uint64/],
      ['removed by a reorg', { removed: true }, /removed by a reorg/],
      ['pending', { blockNumber: null, blockHash: null }, /not in a block/],
      ['short block hash', { blockHash: '0x01' }, /not in a block/],
      ['block number 0x', { blockNumber: '0x' }, /not in a block/],
      ['block number not hex', { blockNumber: '16' }, /not in a block/],
      ['log index 0x', { logIndex: '0x' }, /not in a block/],
      ['short transaction hash', { transactionHash: '0x02' }, /not in a block/],
    ];
    for (const [name, over, reason] of cases) expect(skipped(log(over)), name).toMatch(reason);
  });

  it('remembers the last block: its next log has number and hash compared; anything else is checked again', () => {
    const block: BlockMemo = {};
    const first = decodeProviderLog(log(), provider, block);
    const second = decodeProviderLog(log({ logIndex: '0x4' }), provider, block);
    expect(first).toMatchObject({ ok: { at: { blockNumber: 16n, logIndex: 3 } } });
    expect(second).toMatchObject({ ok: { at: { blockNumber: 16n, logIndex: 4 } } });
    // The same hash with another number is another (malformed or reorged) block: checked again.
    expect(decodeProviderLog(log({ blockNumber: '0x11' }), provider, block)).toMatchObject({
      ok: { at: { blockNumber: 17n } },
    });
    expect(decodeProviderLog(log({ blockNumber: 'nope' }), provider, block)).toMatchObject({
      skip: /not in a block/,
    });
    const broken = decodeProviderLog(log({ transactionHash: '0x02', logIndex: '0x5' }), provider, block);
    expect(broken).toMatchObject({ skip: /not in a block/ });
    expect(decodeProviderLog(log({ blockHash: '0x01' }), provider, block)).toMatchObject({
      skip: /not in a block/,
    });
    expect(decodeProviderLog(log({ blockHash: keccak256('0x09') }), provider, block)).toMatchObject({
      ok: { at: { blockHash: keccak256('0x09') } },
    });
  });
});
