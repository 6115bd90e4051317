/**
 * The org-node image's Go sources (httpapi/) carry their own unit tests: the handshake prober's
 * crypto against RFC 8439 and radicle-crypto's fixture, and its judgements against a responder that
 * follows radicle's steps. Run here so `npm test` runs them; no Docker.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';

const httpapi = fileURLToPath(new URL('../../harness/images/recipes/org-node/httpapi', import.meta.url));

it('go vet and go test pass in httpapi/', async () => {
  const go = (...args: string[]) =>
    promisify(execFile)('go', args, { cwd: httpapi, env: { ...process.env, CGO_ENABLED: '0' } });
  await go('vet', '.');
  const { stdout } = await go('test', '-count=1', '.');
  expect(stdout).toMatch(/^ok\s/m);
});
