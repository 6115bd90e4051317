/**
 * The live path: new heads over WebSocket cut the watcher's poll short (real Anvil), and the
 * wait a head ends. No wall-clock assertion: each wait is far longer than any test may run.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startChain, type Chain } from '../../harness/chain/anvil.js';
import { testClientFor } from '../../harness/chain/clients.js';
import { mine } from '../../harness/chain/mining.js';
import { subscribeHeads, wakeableWait } from '../../harness/deployer/heads.js';
import { createLogger } from '../../harness/deployer/log.js';

const FOREVER_MS = 3_600_000;

describe('wakeableWait', () => {
  it('a wake ends the wait in progress', async () => {
    const w = wakeableWait();
    const waiting = w.wait(FOREVER_MS);
    w.wake();
    await expect(waiting).resolves.toBeUndefined();
  });

  it('a wake between waits (during a step) ends the next wait at once, once', async () => {
    const w = wakeableWait();
    w.wake();
    await w.wait(FOREVER_MS);
    let ended = false;
    const next = w.wait(FOREVER_MS).then(() => (ended = true));
    await Promise.resolve();
    expect(ended).toBe(false);
    w.wake();
    await next;
  });

  it('an abort ends it too', async () => {
    const w = wakeableWait();
    const stop = new AbortController();
    const waiting = w.wait(FOREVER_MS, stop.signal);
    stop.abort();
    await expect(waiting).resolves.toBeUndefined();
  });
});

describe('subscribeHeads (real Anvil)', () => {
  let chain: Chain;
  beforeAll(async () => {
    chain = await startChain();
  });
  afterAll(async () => {
    await chain?.stop();
  });

  it('a mined block wakes a watcher poll that would otherwise sleep for an hour', async () => {
    const stop = new AbortController();
    const poll = wakeableWait();
    const heads: Array<bigint | undefined> = [];
    subscribeHeads(
      chain.wsUrl,
      (head) => {
        heads.push(head);
        poll.wake();
      },
      { log: createLogger({ level: 'error' }), signal: stop.signal },
    );
    try {
      const test = testClientFor(chain);
      // Mine until the subscription is live and a head arrives; the poll then ends.
      const waiting = poll.wait(FOREVER_MS);
      let mined = 0n;
      while (heads.length === 0) {
        mined = await mine(test, 1);
        await new Promise((r) => setTimeout(r, 50));
      }
      await waiting;
      expect(heads).toContain(mined);
    } finally {
      stop.abort();
    }
  });
});
