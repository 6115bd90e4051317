/**
 * Property: for random sequences of registry changes (add / revoke / rotate certifiers among a few
 * keys, revoke certificates), time warps, plain listings, delistings and listCertified attempts with
 * certificates signed by random keys over random fields (right or wrong provider and chain, times
 * around the validity window, broken signatures), the contracts and the TypeScript model
 * (certificate-model.ts) agree on every outcome (success or the custom error and its arguments) and,
 * after every step, on isCertified, certificateOf, providers() and the registry's sets.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { zeroAddress, zeroHash, type Address, type Hash, type Hex } from 'viem';
import type { CertificateFields } from '../../harness/certificate/typed-data.js';
import { delistProvider, listProvider, listedProviders } from '../../harness/chain/actions.js';
import {
  addCertifier,
  certificateOf,
  certifiers,
  isCertificateRevoked,
  isCertified,
  listCertified,
  revokeCertificate,
  revokeCertifier,
  rotateCertifier,
} from '../../harness/chain/certifiers.js';
import type { WalletClient } from '../../harness/chain/clients.js';
import { revertTo, snapshot } from '../../harness/chain/mining.js';
import {
  bytes32,
  highS,
  latestTimestamp,
  mineAt,
  nextTimestamp,
  signCertificate,
  throwawayAccount,
  withV,
} from './certificates.js';
import { expectRevert, useWorld, type World } from './fixture.js';
import * as model from './certificate-model.js';

const RUNS = Number(process.env.ONECLICK_PROPERTY_RUNS ?? 30);
const MAX_OPS = 12;

const world = useWorld();

/** Keys 0..3 may become certifiers; key 4 never does. Keys 0 and 1 start registered. */
const KEYS = [0, 1, 2, 3, 4].map((i) => throwawayAccount(`model ${i}`));
const CERTIFIER_KEYS = 4;
const STATEMENTS = [0, 1, 2].map((i) => bytes32(`model statement ${i}`));
const SUBJECTS = [0, 1].map((i) => bytes32(`model image ${i}`));
const SPECS = ['oneclick/v1', 'oneclick/v2'];

type Tamper = 'none' | 'forged' | 'short' | 'long' | 'highS' | 'v29';

type Op =
  | { kind: 'addCertifier'; key: number; byOwner: boolean }
  | { kind: 'revokeCertifier'; key: number; byOwner: boolean }
  | { kind: 'rotateCertifier'; from: number; to: number; byOwner: boolean }
  | { kind: 'revokeCertificate'; statement: number; byOwner: boolean }
  | { kind: 'warp'; seconds: number }
  /** Mines an empty block at (provider's validUntil + offset), if that is not in the past. */
  | { kind: 'warpToExpiry'; provider: number; offset: number }
  | { kind: 'list'; provider: number; byOwner: boolean }
  | { kind: 'delist'; provider: number; byOwner: boolean }
  | {
      kind: 'listCertified';
      provider: number;
      byOwner: boolean;
      forOtherProvider: boolean;
      forOtherChain: boolean;
      /** issuedAt and validUntil relative to the transaction's block timestamp. */
      issuedAt: number;
      validUntil: number;
      statement: number;
      subject: number;
      spec: number;
      /** A key index, or CURRENT: one of the keys registered at the time (any key when none is). */
      signer: number;
      pick: number;
      tamper: Tamper;
    };

const CURRENT = -1;
const key = fc.integer({ min: 0, max: CERTIFIER_KEYS - 1 });
const provider = fc.integer({ min: 0, max: 1 });
const mostly = (weight: number) =>
  fc.oneof({ weight, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) });
const rarely = mostly(14).map((b) => !b);

const listCertifiedOp = fc.record({
  kind: fc.constant('listCertified' as const),
  provider,
  byOwner: mostly(14),
  forOtherProvider: rarely,
  forOtherChain: rarely,
  issuedAt: fc.oneof(
    { weight: 10, arbitrary: fc.integer({ min: -30, max: 0 }) },
    { weight: 1, arbitrary: fc.integer({ min: 1, max: 3 }) },
  ),
  validUntil: fc.oneof(
    { weight: 10, arbitrary: fc.integer({ min: 0, max: 40 }) },
    { weight: 1, arbitrary: fc.integer({ min: -3, max: -1 }) },
  ),
  statement: fc.integer({ min: 0, max: STATEMENTS.length - 1 }),
  subject: fc.integer({ min: 0, max: SUBJECTS.length - 1 }),
  spec: fc.integer({ min: 0, max: SPECS.length - 1 }),
  signer: fc.oneof(
    { weight: 6, arbitrary: fc.constant(CURRENT) },
    { weight: 3, arbitrary: fc.integer({ min: 0, max: CERTIFIER_KEYS - 1 }) },
    { weight: 1, arbitrary: fc.constant(CERTIFIER_KEYS) },
  ),
  /** Which of the current certifiers signs, when `signer` is CURRENT. */
  pick: fc.nat(),
  tamper: fc.oneof(
    { weight: 15, arbitrary: fc.constant<Tamper>('none') },
    { weight: 1, arbitrary: fc.constantFrom<Tamper>('forged', 'short', 'long', 'highS', 'v29') },
  ),
});

const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 8, arbitrary: listCertifiedOp },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant('addCertifier' as const), key, byOwner: mostly(6) }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant('revokeCertifier' as const), key, byOwner: mostly(6) }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('rotateCertifier' as const),
      from: key,
      to: key,
      byOwner: mostly(6),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('revokeCertificate' as const),
      statement: fc.integer({ min: 0, max: STATEMENTS.length - 1 }),
      byOwner: mostly(6),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({ kind: fc.constant('warp' as const), seconds: fc.integer({ min: 0, max: 30 }) }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('warpToExpiry' as const),
      provider,
      offset: fc.integer({ min: -1, max: 1 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('list' as const), provider, byOwner: mostly(4) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('delist' as const), provider, byOwner: mostly(4) }) },
);

interface Run {
  w: World;
  m: model.CertificateModel;
  providers: [Address, Address];
  /** Timestamp of the latest block. */
  now: bigint;
}

function providerAt(run: Run, index: number): Address {
  const p = run.providers[index];
  if (!p) throw new Error(`no provider ${index}`);
  return p;
}

/** The signature `op` hands in, and what the model makes of it; `sent` are the fields passed along. */
async function certificateOfOp(
  run: Run,
  o: Extract<Op, { kind: 'listCertified' }>,
  at: bigint,
): Promise<{ sent: CertificateFields; signature: Hex; described: model.ModelSignature }> {
  const target = providerAt(run, o.forOtherProvider ? 1 - o.provider : o.provider);
  const signed: CertificateFields = {
    provider: target,
    chainId: o.forOtherChain ? run.m.chainId + 1n : run.m.chainId,
    subject: SUBJECTS[o.subject]!,
    statement: STATEMENTS[o.statement]!,
    spec: SPECS[o.spec]!,
    issuedAt: at + BigInt(o.issuedAt),
    validUntil: at + BigInt(o.validUntil),
  };
  const registered = KEYS.filter((k) => run.m.certifiers.has(k.address));
  const signer =
    o.signer === CURRENT
      ? (registered[o.pick % Math.max(1, registered.length)] ?? KEYS[0]!)
      : KEYS[o.signer]!;
  const signature = await signCertificate(signer, signed);
  switch (o.tamper) {
    case 'none':
      return { sent: signed, signature, described: { kind: 'by', signer: signer.address } };
    case 'forged':
      // Same signature, another image: it recovers an unrelated address.
      return {
        sent: { ...signed, subject: SUBJECTS[1 - o.subject]! },
        signature,
        described: { kind: 'forged' },
      };
    case 'short':
      return {
        sent: signed,
        signature: signature.slice(0, 130) as Hex,
        described: { kind: 'length', length: 64 },
      };
    case 'long':
      return { sent: signed, signature: `${signature}00`, described: { kind: 'length', length: 66 } };
    case 'highS':
      return { sent: signed, signature: highS(signature).signature, described: { kind: 'highS' } };
    case 'v29':
      return { sent: signed, signature: withV(signature, 29), described: { kind: 'v', v: 29 } };
  }
}

/** Runs one operation on chain and in the model; every transaction is mined at `now + 1`. */
async function step(run: Run, o: Op): Promise<void> {
  const { w, m } = run;
  if (o.kind === 'warp') {
    run.now += BigInt(o.seconds);
    await mineAt(w.test, run.now);
    return;
  }
  if (o.kind === 'warpToExpiry') {
    const record = m.records.get(providerAt(run, o.provider));
    if (!record || record.validUntil + BigInt(o.offset) < run.now) return;
    run.now = record.validUntil + BigInt(o.offset);
    await mineAt(w.test, run.now);
    return;
  }
  const at = run.now + 1n;
  const owner = (byOwner: boolean, rightful: WalletClient) => (byOwner ? rightful : w.stranger);
  const registry = w.d.certifierRegistry;
  let wallet: WalletClient;
  let outcome: model.Outcome;
  let send: () => Promise<Hash>;
  switch (o.kind) {
    case 'addCertifier': {
      wallet = owner(o.byOwner, w.deployer);
      const c = KEYS[o.key]!.address;
      outcome = model.addCertifier(m, wallet.account.address, c);
      send = () => addCertifier(wallet, registry, c);
      break;
    }
    case 'revokeCertifier': {
      wallet = owner(o.byOwner, w.deployer);
      const c = KEYS[o.key]!.address;
      outcome = model.revokeCertifier(m, wallet.account.address, c);
      send = () => revokeCertifier(wallet, registry, c);
      break;
    }
    case 'rotateCertifier': {
      wallet = owner(o.byOwner, w.deployer);
      const [from, to] = [KEYS[o.from]!.address, KEYS[o.to]!.address];
      outcome = model.rotateCertifier(m, wallet.account.address, from, to);
      send = () => rotateCertifier(wallet, registry, from, to);
      break;
    }
    case 'revokeCertificate': {
      wallet = owner(o.byOwner, w.deployer);
      const s = STATEMENTS[o.statement]!;
      outcome = model.revokeCertificate(m, wallet.account.address, s);
      send = () => revokeCertificate(wallet, registry, s);
      break;
    }
    case 'list': {
      wallet = owner(o.byOwner, w.providerOwner);
      const p = providerAt(run, o.provider);
      outcome = model.list(m, wallet.account.address, p);
      send = () =>
        listProvider(wallet, w.d.entrance, p, `name ${o.provider}`, `https://${o.provider}.example`);
      break;
    }
    case 'delist': {
      wallet = owner(o.byOwner, w.providerOwner);
      const p = providerAt(run, o.provider);
      outcome = model.delist(m, wallet.account.address, p);
      send = () => delistProvider(wallet, w.d.entrance, p);
      break;
    }
    case 'listCertified': {
      wallet = owner(o.byOwner, w.providerOwner);
      const p = providerAt(run, o.provider);
      const { sent, signature, described } = await certificateOfOp(run, o, at);
      outcome = model.listCertified(m, at, wallet.account.address, p, sent, described);
      send = () => listCertified(wallet, w.d.entrance, p, 'certified', 'https://c.example', sent, signature);
      break;
    }
  }
  await nextTimestamp(w.test, at);
  if ('error' in outcome) {
    // The gas estimate runs in the pending block (timestamp `at`) and throws: nothing is mined.
    await expectRevert(send(), outcome.error, outcome.args);
    return;
  }
  const receipt = await w.send(send());
  expect((await w.test.getBlock({ blockNumber: receipt.blockNumber })).timestamp).toBe(at);
  run.now = at;
}

/** Compares every certificate observable of the contracts with the model at the chain head. */
async function agree(run: Run): Promise<void> {
  const { w, m, providers } = run;
  expect(await latestTimestamp(w.test), 'chain time = model time').toBe(run.now);
  const [certified, records, listed, registered, revoked] = await Promise.all([
    Promise.all(providers.map((p) => isCertified(w.test, w.d.entrance, p))),
    Promise.all(providers.map((p) => certificateOf(w.test, w.d.entrance, p))),
    listedProviders(w.test, w.d.entrance),
    certifiers(w.test, w.d.certifierRegistry),
    Promise.all(STATEMENTS.map((s) => isCertificateRevoked(w.test, w.d.certifierRegistry, s))),
  ]);
  expect(certified, 'isCertified').toEqual(providers.map((p) => model.isCertified(m, run.now, p)));
  expect(records, 'certificateOf').toEqual(
    providers.map(
      (p) =>
        m.records.get(p) ?? {
          certifier: zeroAddress,
          statement: zeroHash,
          subject: zeroHash,
          spec: '',
          issuedAt: 0n,
          validUntil: 0n,
        },
    ),
  );
  expect(
    listed.map((i) => ({
      provider: i.provider,
      certified: i.certified,
      certifier: i.certifier,
      certifiedUntil: i.certifiedUntil,
      certificate: i.certificate,
    })),
    'providers()',
  ).toEqual(
    m.listed.map((p) => {
      const r = m.records.get(p);
      return {
        provider: p,
        certified: model.isCertified(m, run.now, p),
        certifier: r?.certifier ?? zeroAddress,
        certifiedUntil: r?.validUntil ?? 0n,
        certificate: r?.statement ?? zeroHash,
      };
    }),
  );
  expect([...registered].sort(), 'certifiers()').toEqual([...m.certifiers].sort());
  expect(revoked, 'isRevoked').toEqual(STATEMENTS.map((s) => m.revoked.has(s)));
}

describe('certified listings agree with the TypeScript model', () => {
  it(`${RUNS} random runs of up to ${MAX_OPS} operations`, async () => {
    const w = world();
    const providers: [Address, Address] = [w.d.ethProvider, w.d.tokenProvider];
    await fc.assert(
      fc.asyncProperty(
        fc.array(op, { minLength: MAX_OPS / 2, maxLength: MAX_OPS, size: 'max' }),
        async (ops) => {
          const snap = await snapshot(w.test);
          try {
            const m = model.newModel(
              BigInt(w.chain.chainId),
              w.deployer.account.address,
              w.providerOwner.account.address,
            );
            m.listed = [...providers]; // deployAll lists both, uncertified
            const run: Run = { w, m, providers, now: await latestTimestamp(w.test) };
            for (const k of [0, 1]) await step(run, { kind: 'addCertifier', key: k, byOwner: true });
            await agree(run);
            for (const o of ops) {
              await step(run, o);
              await agree(run);
            }
          } finally {
            await revertTo(w.test, snap);
          }
        },
      ),
      { numRuns: RUNS },
    );
  });
});
