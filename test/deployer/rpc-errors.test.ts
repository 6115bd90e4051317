import { describe, expect, it } from 'vitest';
import { topUp } from '../../harness/chain/actions.js';
import { mine } from '../../harness/chain/mining.js';
import { freePort } from '../../harness/util/ports.js';
import { parseConfig, redactions } from '../../harness/deployer/config.js';
import { memoryLogger } from '../../harness/deployer/log.js';
import { rpcChainReader, type ChainReader } from '../../harness/deployer/rpc.js';
import { openStore } from '../../harness/deployer/state/index.js';
import { backoffMs, createWatcher, FatalWatcherError } from '../../harness/deployer/watcher/index.js';
import { useWorld } from '../contracts/fixture.js';
import { org, tempDir, watch, watcherConfig } from './fixture.js';

const world = useWorld();
const TSIG_SECRET = 'dGhpcy1pcy1hLXNlY3JldC10c2lnLWtleQ==';
const TSIG = `oneclick-key:hmac-sha256:${TSIG_SECRET}`;

/** Fails the first `failures` calls of every kind with a message full of things never to log. */
function flaky(reader: ChainReader, failures: number, leak: string): ChainReader {
  let left = failures;
  const fail = <T>(call: () => Promise<T>) => {
    if (left-- > 0)
      return Promise.reject(new Error(`HTTP request failed.\nURL: ${leak}\nDetails: key ${TSIG}`));
    return call();
  };
  return {
    chainId: () => reader.chainId(),
    head: () => fail(() => reader.head()),
    blockHash: (n) => fail(() => reader.blockHash(n)),
    logs: (f) => fail(() => reader.logs(f)),
    expiryAt: (p, o, b) => fail(() => reader.expiryAt(p, o, b)),
  };
}

/** A `wait` that returns at once, records what it was asked, and stops the run once it idles. */
function fakeWait(pollMs: number, stop: AbortController) {
  const waits: number[] = [];
  return {
    waits,
    wait: async (ms: number) => {
      waits.push(ms);
      if (ms === pollMs) stop.abort();
    },
  };
}

describe('watcher: RPC errors', () => {
  it('retries with capped exponential backoff, logs JSON warnings with no secret, and converges', async () => {
    const w = world();
    await w.send(topUp(w.user, w.d.ethProvider, org(1), 1));
    await mine(w.test, 3);
    const rpcUrl = `${w.chain.rpcUrl}/v3/api-key-0123456789`;
    const config = watcherConfig(w, { backoffMaxMs: 1000, pollIntervalMs: 20 });
    const { log, lines, entries } = memoryLogger({
      redact: redactions(parseConfig(envFor(w, rpcUrl))),
    });
    const dir = tempDir();
    const store = openStore(dir, { chainId: config.chainId, provider: config.providerAddress });
    const reader = flaky(rpcChainReader(w.chain.rpcUrl), 6, rpcUrl);
    const watcher = createWatcher({ config, store, reader, log });
    const stop = new AbortController();
    const { waits, wait } = fakeWait(config.pollIntervalMs, stop);
    await watcher.run({ signal: stop.signal, wait });
    store.close();

    expect(waits.slice(0, 6)).toEqual([200, 400, 800, 1000, 1000, 1000]);
    expect(waits.slice(0, 6)).toEqual([1, 2, 3, 4, 5, 6].map((a) => backoffMs(a, 1000)));
    const warnings = entries().filter((e) => e.level === 'warn');
    expect(warnings.map((e) => e.attempt)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(warnings[0]).toMatchObject({ msg: 'watcher step failed; retrying', retryInMs: 200 });
    expect(String(warnings[0]!.error)).toContain(`${w.chain.rpcUrl}/…`);
    for (const line of lines) {
      expect(() => JSON.parse(line)).not.toThrow();
      expect(line).not.toContain(TSIG_SECRET);
      expect(line).not.toContain('api-key-0123456789');
    }
    expect(entries().some((e) => e.msg === 'caught up')).toBe(true);
    const reopened = openStore(dir, { chainId: config.chainId, provider: config.providerAddress });
    expect(reopened.org(org(1))).toMatchObject({ active: true, desired: 'run' });
    reopened.close();
  });

  it('an unreachable RPC is retried and logged with the URL cut to its origin', async () => {
    const w = world();
    const port = await freePort();
    const rpcUrl = `http://127.0.0.1:${port}/v3/api-key-0123456789`;
    const { log, lines, entries } = memoryLogger({ redact: redactions(parseConfig(envFor(w, rpcUrl))) });
    const config = watcherConfig(w);
    const store = openStore(tempDir(), { chainId: config.chainId, provider: config.providerAddress });
    const watcher = createWatcher({
      config,
      store,
      reader: rpcChainReader(rpcUrl, { timeoutMs: 2000 }),
      log,
    });
    const stop = new AbortController();
    const waits: number[] = [];
    await watcher.run({
      signal: stop.signal,
      wait: async (ms) => {
        waits.push(ms);
        if (waits.length === 3) stop.abort();
      },
    });
    store.close();
    expect(waits).toEqual([200, 400, 800]);
    expect(entries().filter((e) => e.level === 'warn')).toHaveLength(3);
    expect(lines.join('\n')).toContain(`http://127.0.0.1:${port}/…`);
    expect(lines.join('\n')).not.toContain('api-key-0123456789');
  });

  it('stops on a chain id other than ONECLICK_CHAIN_ID instead of watching the wrong chain', async () => {
    const w = world();
    const t = watch(w, { chainId: 1 });
    await expect(t.watcher.run({ wait: async () => undefined })).rejects.toThrow(FatalWatcherError);
  });
});

function envFor(w: ReturnType<typeof world>, rpcUrl: string) {
  return {
    ONECLICK_RPC_URL: rpcUrl,
    ONECLICK_CHAIN_ID: String(w.chain.chainId),
    ONECLICK_PROVIDER_ADDRESS: w.d.ethProvider,
    ONECLICK_CONFIRMATIONS: '2',
    ONECLICK_GRACE_BLOCKS: '5',
    ONECLICK_DNS_SERVER: '127.0.0.1',
    ONECLICK_DNS_ZONE: 'orgs.test',
    ONECLICK_DNS_TSIG: TSIG,
  };
}
