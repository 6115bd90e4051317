/**
 * The reference provider shipped as a provider package (fixtures/providers/reference): built by the
 * harness (prepare.sh bundles the deployer, copies Node and better-sqlite3), started like any
 * third-party provider, judged from outside only (SPEC.md §4).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRun, type Run } from '../../harness/docker/run.js';
import { leftovers } from '../net/probes.js';
import {
  eventually,
  lookup,
  nodeOverHttp,
  orgNodes,
  orgs,
  payInOneBlock,
  payOne,
  startReference,
  type Published,
  type ReferenceWorld,
} from './reference-fixture.js';

/** Top-ups in one block in the bulk test (the figure; bench/provision.ts times the same). */
const BULK = 50;

let run: Run;
let w: ReferenceWorld;
const progress: string[] = [];

beforeAll(async () => {
  run = startRun('reftest');
  w = await startReference(run, { onProgress: (line) => progress.push(line) });
}, 600_000);

afterAll(async () => {
  if (!run) return;
  const secret = w?.booted.world.dns.tsig.secret;
  if (w) {
    const logs = await w.provider.logs(5000);
    expect(logs).not.toContain(secret);
    await w.provider.stop();
  }
  await run.dispose();
  // Everything the deployer made carries oneclick.run=<run id>: the run's dispose removed it all.
  expect(await leftovers(run.id)).toEqual([]);
});

async function published(org: `0x${string}`, minExpiry: bigint, timeoutMs = 120_000): Promise<Published> {
  return eventually(
    `records of ${org}`,
    async () => {
      const rec = await lookup(w, org);
      return rec && rec.expiry >= minExpiry ? rec : undefined;
    },
    timeoutMs,
    500,
  );
}

describe('the reference provider package', () => {
  it('builds from its folder and passes its readiness probe', async () => {
    expect(w.provider.image.tag).toMatch(/^oneclick-provider\/reference:[0-9a-f]{12}$/);
    const health = await fetch(`http://${w.provider.address}:9100/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ ok: true, reconciler: { ready: true } });
  });

  it('a top-up publishes A/SRV/TXT and an HTTP route; a SIGKILLed provider restarts without duplicates', async () => {
    const [org] = orgs(1);
    const expiry = await payOne(w, org!);
    const rec = await published(org!, expiry);
    expect(rec.expiry).toBe(expiry);
    expect(await eventually('HTTP by Host', () => nodeOverHttp(w, org!, rec.address))).toBe(rec.nid);
    const [node] = await orgNodes(run.id);
    expect(node).toBeDefined();

    // A crash: SIGKILL, a top-up of another org while it is down, then the same container again.
    await w.provider.kill('SIGKILL');
    const [late] = orgs(1, 1);
    const lateExpiry = await payOne(w, late!);
    await w.provider.start();
    const lateRec = await published(late!, lateExpiry);
    expect(await eventually('HTTP by Host', () => nodeOverHttp(w, late!, lateRec.address))).toBe(lateRec.nid);
    expect(lateRec.nid).not.toBe(rec.nid);
    expect(lateRec.port).not.toBe(rec.port);

    // The first org kept its container, NID and port: adopted, not duplicated.
    expect(await lookup(w, org!)).toEqual(rec);
    const nodes = await orgNodes(run.id);
    expect(nodes).toHaveLength(2);
    expect(nodes.map((n) => n.Id)).toContain(node!.Id);
  }, 300_000);

  it(`${BULK} top-ups in one block all converge: distinct ports and NIDs, all with records`, async () => {
    const list = orgs(BULK, 100);
    await payInOneBlock(w, list);
    const records = await Promise.all(list.map((org) => published(org, 1n, 900_000)));
    expect(new Set(records.map((r) => r.nid)).size).toBe(BULK);
    expect(new Set(records.map((r) => r.port)).size).toBe(BULK);
    const ids = await Promise.all(
      list.map((org, i) => eventually('HTTP by Host', () => nodeOverHttp(w, org, records[i]!.address))),
    );
    expect(ids).toEqual(records.map((r) => r.nid));
    expect(await orgNodes(run.id)).toHaveLength(BULK + 2);
  }, 1_200_000);
});
