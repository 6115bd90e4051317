/**
 * The live path: new heads over WebSocket (ONECLICK_WS_URL, `eth_subscribe newHeads`) wake the
 * watcher at once, so a block that confirms a top-up is read as soon as it is mined, not at the
 * next poll. Polling stays the fallback: without a URL, or while the socket is down (viem
 * reconnects; errors are logged), the watcher keeps its interval.
 */
import { webSocket } from 'viem';
import { safeUrl } from './config.js';
import { errorMessage, type Logger } from './log.js';

/** A wait (the watcher's poll) that `wake()` cuts short; a wake during a step ends the next wait at once. */
export function wakeableWait() {
  let wakeNow: (() => void) | undefined;
  let woken = false;
  return {
    wake(): void {
      woken = true;
      wakeNow?.();
    },
    wait(ms: number, signal?: AbortSignal): Promise<void> {
      if (woken || signal?.aborted) {
        woken = false;
        return Promise.resolve();
      }
      return new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          signal?.removeEventListener('abort', done);
          wakeNow = undefined;
          woken = false;
          resolve();
        };
        const timer = setTimeout(done, ms);
        signal?.addEventListener('abort', done, { once: true });
        wakeNow = done;
      });
    },
  };
}

const RESUBSCRIBE_MS = 2_000;

/**
 * Calls `onHead` on every new head of the chain at `url` until `signal` aborts; a failed or lost
 * subscription is logged and made again after RESUBSCRIBE_MS (the watcher polls meanwhile).
 */
export function subscribeHeads(
  url: string,
  onHead: (block: bigint | undefined) => void,
  { log, signal }: { log: Logger; signal?: AbortSignal },
): void {
  const transport = webSocket(url, { retryCount: 0, reconnect: false })({});
  const where = { url: safeUrl(url) };
  let retry: NodeJS.Timeout | undefined;
  const again = (error: unknown) => {
    if (signal?.aborted || retry) return;
    log.warn('new-heads subscription lost; polling meanwhile', { ...where, error: errorMessage(error) });
    retry = setTimeout(() => {
      retry = undefined;
      void subscribe();
    }, RESUBSCRIBE_MS);
  };
  async function subscribe(): Promise<void> {
    try {
      const rpc = await transport.value!.getRpcClient();
      rpc.socket.addEventListener('close', () => again(new Error('socket closed')), { once: true });
      await transport.value!.subscribe({
        params: ['newHeads'],
        onData: (data) => {
          const head = (data as { result?: { number?: string } }).result?.number;
          onHead(head === undefined ? undefined : BigInt(head));
        },
        onError: again,
      });
      log.info('new heads subscribed', where);
    } catch (error) {
      again(error);
    }
  }
  signal?.addEventListener(
    'abort',
    () => {
      clearTimeout(retry);
      void transport.value
        ?.getRpcClient()
        .then((c) => c.close())
        .catch(() => undefined);
    },
    { once: true },
  );
  void subscribe();
}
