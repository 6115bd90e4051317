import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  hashTypedData,
  parseEventLogs,
  recoverTypedDataAddress,
  toHex,
  zeroAddress,
  zeroHash,
  type Address,
  type Hex,
} from 'viem';
import { entranceAbi } from '../../contracts/index.js';
import { certificateTypedData, type CertificateFields } from '../../harness/certificate/typed-data.js';
import { delistProvider, listProvider, listedProviders, ranking } from '../../harness/chain/actions.js';
import {
  addCertifier,
  certificateDigest,
  certificateOf,
  isCertified,
  listCertified,
  revokeCertificate,
  revokeCertifier,
  rotateCertifier,
} from '../../harness/chain/certifiers.js';
import { deployEthProvider } from '../../harness/chain/deploy.js';
import {
  bytes32,
  certificateFor,
  highS,
  latestTimestamp,
  mineAt,
  nextTimestamp,
  signCertificate,
  throwawayAccount,
  withV,
} from './certificates.js';
import { expectRevert, useWorld, type World } from './fixture.js';

const world = useWorld();

const certifier = throwawayAccount('certifier');
const other = throwawayAccount('other certifier');
const outsider = throwawayAccount('never a certifier');

const NO_CERTIFICATE = {
  certifier: zeroAddress,
  statement: zeroHash,
  subject: zeroHash,
  spec: '',
  issuedAt: 0n,
  validUntil: 0n,
};

/** Registers `certifier` and returns the next block's timestamp (t) and a certificate valid [t, t + 1000]. */
async function setUp(w: World, provider: Address = w.d.ethProvider) {
  await w.send(addCertifier(w.deployer, w.d.certifierRegistry, certifier.address));
  const t = (await latestTimestamp(w.test)) + 10n;
  const fields = certificateFor(provider, BigInt(w.chain.chainId), t, t + 1000n);
  return { t, fields, signature: await signCertificate(certifier, fields) };
}

function listWith(w: World, fields: CertificateFields, signature: Hex, provider = w.d.ethProvider) {
  return listCertified(
    w.providerOwner,
    w.d.entrance,
    provider,
    'certified',
    'https://c.example',
    fields,
    signature,
  );
}

async function infoOf(w: World, provider: Address) {
  const info = (await listedProviders(w.test, w.d.entrance)).find((p) => p.provider === provider);
  if (!info) throw new Error(`${provider} is not listed`);
  return info;
}

describe('Entrance.certificateDigest', () => {
  it("equals viem's hashTypedData(certificateTypedData(fields)) for any fields on this chain", async () => {
    const w = world();
    const chainId = BigInt(w.chain.chainId);
    const u64 = fc.bigInt({ min: 0n, max: 2n ** 64n - 1n });
    const hex32 = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => toHex(b));
    const fields = fc.record({
      provider: fc.uint8Array({ minLength: 20, maxLength: 20 }).map((b) => toHex(b) as Address),
      chainId: fc.constant(chainId),
      subject: hex32,
      statement: hex32,
      spec: fc.oneof(
        fc.constant(''),
        fc.constant('oneclick/v1'),
        fc.string({ unit: 'grapheme', maxLength: 80 }),
      ),
      issuedAt: u64,
      validUntil: u64,
    });
    await fc.assert(
      fc.asyncProperty(fields, async (f) => {
        expect(await certificateDigest(w.test, w.d.entrance, f)).toBe(hashTypedData(certificateTypedData(f)));
      }),
      { numRuns: 40 },
    );
  });
});

describe('Entrance.listCertified', () => {
  it('lists the provider as certified: events, certificateOf, isCertified, providers() and ranking()', async () => {
    const w = world();
    const { t, fields, signature } = await setUp(w);
    await nextTimestamp(w.test, t);
    const receipt = await w.send(listWith(w, fields, signature));
    expect(
      parseEventLogs({ abi: entranceAbi, logs: receipt.logs }).map((e) => ({
        event: e.eventName,
        args: e.args,
      })),
    ).toEqual([
      {
        event: 'ProviderListed',
        args: { provider: w.d.ethProvider, name: 'certified', endpoint: 'https://c.example' },
      },
      {
        event: 'ProviderCertified',
        args: {
          provider: w.d.ethProvider,
          certifier: certifier.address,
          statement: fields.statement,
          validUntil: fields.validUntil,
        },
      },
    ]);
    expect(await certificateOf(w.test, w.d.entrance, w.d.ethProvider)).toEqual({
      certifier: certifier.address,
      statement: fields.statement,
      subject: fields.subject,
      spec: fields.spec,
      issuedAt: fields.issuedAt,
      validUntil: fields.validUntil,
    });
    expect(await isCertified(w.test, w.d.entrance, w.d.ethProvider)).toBe(true);
    expect(await infoOf(w, w.d.ethProvider)).toMatchObject({
      name: 'certified',
      endpoint: 'https://c.example',
      certified: true,
      certifier: certifier.address,
      certifiedUntil: fields.validUntil,
      certificate: fields.statement,
    });
    // The other provider stays listed without a certificate.
    expect(await infoOf(w, w.d.tokenProvider)).toMatchObject({
      certified: false,
      certifier: zeroAddress,
      certifiedUntil: 0n,
      certificate: zeroHash,
    });
    expect(await certificateOf(w.test, w.d.entrance, w.d.tokenProvider)).toEqual(NO_CERTIFICATE);
    const [ranked] = await ranking(w.test, w.d.entrance, zeroAddress);
    expect(ranked).toMatchObject({
      provider: w.d.ethProvider,
      certified: true,
      certifier: certifier.address,
    });
  });

  it('gas of a successful listCertified (a new listing, then an update of it)', async () => {
    const w = world();
    const provider = await deployEthProvider(w.send, w.providerOwner, w.providerOwner.account.address, {
      pricePerBlock: 1n,
      packageBlocks: 1n,
    });
    const { t, fields, signature } = await setUp(w, provider);
    await nextTimestamp(w.test, t);
    const fresh = await w.send(listWith(w, fields, signature, provider));
    const renewed = certificateFor(provider, fields.chainId, t, t + 2000n, { statement: bytes32('renewal') });
    await nextTimestamp(w.test, t + 1n);
    const update = await w.send(listWith(w, renewed, await signCertificate(certifier, renewed), provider));
    const plain = await w.send(
      listProvider(w.providerOwner, w.d.entrance, provider, 'plain', 'https://p.example'),
    );
    console.log(
      `[gas] listCertified: new listing ${fresh.gasUsed}, update of a certified listing ${update.gasUsed} ` +
        `(plain list update: ${plain.gasUsed}; spec "${fields.spec}", name "certified", endpoint "https://c.example")`,
    );
    expect(await isCertified(w.test, w.d.entrance, provider)).toBe(true);
  });

  it('a plain list keeps the certificate; listCertified again replaces it; delist deletes it', async () => {
    const w = world();
    const { t, fields, signature } = await setUp(w);
    await nextTimestamp(w.test, t);
    await w.send(listWith(w, fields, signature));
    await w.send(
      listProvider(w.providerOwner, w.d.entrance, w.d.ethProvider, 'renamed', 'https://r.example'),
    );
    expect(await infoOf(w, w.d.ethProvider)).toMatchObject({
      name: 'renamed',
      certified: true,
      certificate: fields.statement,
    });
    await w.send(addCertifier(w.deployer, w.d.certifierRegistry, other.address));
    const next = certificateFor(w.d.ethProvider, fields.chainId, t, t + 50n, {
      statement: bytes32('second'),
      spec: 'oneclick/v2',
    });
    await w.send(listWith(w, next, await signCertificate(other, next)));
    expect(await certificateOf(w.test, w.d.entrance, w.d.ethProvider)).toMatchObject({
      certifier: other.address,
      statement: next.statement,
      spec: 'oneclick/v2',
      validUntil: t + 50n,
    });
    await w.send(delistProvider(w.providerOwner, w.d.entrance, w.d.ethProvider));
    expect(await certificateOf(w.test, w.d.entrance, w.d.ethProvider)).toEqual(NO_CERTIFICATE);
    expect(await isCertified(w.test, w.d.entrance, w.d.ethProvider)).toBe(false);
    await w.send(listProvider(w.providerOwner, w.d.entrance, w.d.ethProvider, 'back', 'https://b.example'));
    expect(await infoOf(w, w.d.ethProvider)).toMatchObject({ certified: false, certifier: zeroAddress });
  });

  it('refuses what list refuses, before looking at the certificate: EmptyField, NotAProvider, NotProviderOwner', async () => {
    const w = world();
    const { t, fields, signature } = await setUp(w);
    await nextTimestamp(w.test, t);
    const e = w.d.entrance;
    const p = w.d.ethProvider;
    await expectRevert(listCertified(w.providerOwner, e, p, '', 'x', fields, signature), 'EmptyField');
    await expectRevert(listCertified(w.providerOwner, e, p, 'x', '', fields, signature), 'EmptyField');
    const eoa = w.stranger.account.address;
    await expectRevert(listCertified(w.stranger, e, eoa, 'x', 'y', fields, signature), 'NotAProvider', [eoa]);
    await expectRevert(listCertified(w.stranger, e, p, 'x', 'y', fields, signature), 'NotProviderOwner');
    await expectRevert(listCertified(w.user, e, p, 'x', 'y', fields, signature), 'NotProviderOwner');
  });

  it('a certificate for another provider: CertificateForAnotherProvider(expected, actual)', async () => {
    const w = world();
    const { t, fields, signature } = await setUp(w);
    await nextTimestamp(w.test, t);
    // Signed for the ether provider, presented for the token provider (same owner).
    await expectRevert(listWith(w, fields, signature, w.d.tokenProvider), 'CertificateForAnotherProvider', [
      w.d.tokenProvider,
      w.d.ethProvider,
    ]);
  });

  it('a certificate for another chain: CertificateForAnotherChain(block.chainid, chainId)', async () => {
    const w = world();
    const { t, fields } = await setUp(w);
    const mainnet = { ...fields, chainId: 1n };
    await nextTimestamp(w.test, t);
    await expectRevert(
      listWith(w, mainnet, await signCertificate(certifier, mainnet)),
      'CertificateForAnotherChain',
      [BigInt(w.chain.chainId), 1n],
    );
  });

  it('not yet valid (issuedAt > block.timestamp): CertificateNotYetValid; valid from issuedAt on', async () => {
    const w = world();
    const { t, fields, signature } = await setUp(w);
    await nextTimestamp(w.test, t - 1n);
    await expectRevert(listWith(w, fields, signature), 'CertificateNotYetValid', [t, t - 1n]);
    await nextTimestamp(w.test, t);
    await w.send(listWith(w, fields, signature));
  });

  it('expired at listing time (block.timestamp > validUntil): CertificateExpired; valid up to validUntil itself', async () => {
    const w = world();
    const { t, fields, signature } = await setUp(w);
    const until = fields.validUntil;
    await nextTimestamp(w.test, until + 1n);
    await expectRevert(listWith(w, fields, signature), 'CertificateExpired', [until, until + 1n]);
    await nextTimestamp(w.test, until);
    await w.send(listWith(w, fields, signature));
    expect(await isCertified(w.test, w.d.entrance, w.d.ethProvider)).toBe(true);
    expect(t).toBeLessThan(until);
  });

  it('a listed provider whose certificate expires loses certified in providers() with no transaction', async () => {
    const w = world();
    const { t, fields, signature } = await setUp(w);
    await nextTimestamp(w.test, t);
    await w.send(listWith(w, fields, signature));
    await mineAt(w.test, fields.validUntil); // empty block: last second of validity
    expect(await infoOf(w, w.d.ethProvider)).toMatchObject({ certified: true });
    await mineAt(w.test, fields.validUntil + 1n);
    expect(await infoOf(w, w.d.ethProvider)).toMatchObject({
      certified: false,
      certifier: certifier.address,
      certifiedUntil: fields.validUntil,
      certificate: fields.statement,
    });
    expect(await isCertified(w.test, w.d.entrance, w.d.ethProvider)).toBe(false);
    // Reading an older block still shows it certified there.
    const head = await w.test.getBlockNumber({ cacheTime: 0 });
    expect(await isCertified(w.test, w.d.entrance, w.d.ethProvider, { blockNumber: head - 1n })).toBe(true);
  });

  it('revoking the certifier drops the flag of listings it certified; adding it again restores it; its new signatures are refused meanwhile', async () => {
    const w = world();
    const { t, fields, signature } = await setUp(w);
    await nextTimestamp(w.test, t);
    await w.send(listWith(w, fields, signature));
    await w.send(revokeCertifier(w.deployer, w.d.certifierRegistry, certifier.address));
    expect(await infoOf(w, w.d.ethProvider)).toMatchObject({
      certified: false,
      certifier: certifier.address,
    });
    expect(await isCertified(w.test, w.d.entrance, w.d.ethProvider)).toBe(false);
    const token = certificateFor(w.d.tokenProvider, fields.chainId, t, t + 1000n);
    await expectRevert(
      listWith(w, token, await signCertificate(certifier, token), w.d.tokenProvider),
      'SignerNotCertifier',
      [certifier.address],
    );
    await w.send(addCertifier(w.deployer, w.d.certifierRegistry, certifier.address));
    expect(await isCertified(w.test, w.d.entrance, w.d.ethProvider)).toBe(true);
  });

  it('a revoked certificate: the listed provider loses the flag, and it cannot be listed again (CertificateRevoked)', async () => {
    const w = world();
    const { t, fields, signature } = await setUp(w);
    await nextTimestamp(w.test, t);
    await w.send(listWith(w, fields, signature));
    await w.send(revokeCertificate(w.deployer, w.d.certifierRegistry, fields.statement));
    expect(await infoOf(w, w.d.ethProvider)).toMatchObject({
      certified: false,
      certificate: fields.statement,
    });
    await expectRevert(listWith(w, fields, signature), 'CertificateRevoked', [fields.statement]);
    // A certificate with another statement is unaffected.
    const fresh = { ...fields, statement: bytes32('re-certified') };
    await w.send(listWith(w, fresh, await signCertificate(certifier, fresh)));
    expect(await isCertified(w.test, w.d.entrance, w.d.ethProvider)).toBe(true);
  });

  it("rotation: the old certifier's listings drop and its signatures are refused; the new certifier's are valid", async () => {
    const w = world();
    const { t, fields, signature } = await setUp(w);
    await nextTimestamp(w.test, t);
    await w.send(listWith(w, fields, signature));
    await w.send(rotateCertifier(w.deployer, w.d.certifierRegistry, certifier.address, other.address));
    expect(await isCertified(w.test, w.d.entrance, w.d.ethProvider)).toBe(false);
    const token = certificateFor(w.d.tokenProvider, fields.chainId, t, t + 1000n);
    await expectRevert(
      listWith(w, token, await signCertificate(certifier, token), w.d.tokenProvider),
      'SignerNotCertifier',
      [certifier.address],
    );
    await w.send(listWith(w, token, await signCertificate(other, token), w.d.tokenProvider));
    expect(await infoOf(w, w.d.tokenProvider)).toMatchObject({ certified: true, certifier: other.address });
    expect(await infoOf(w, w.d.ethProvider)).toMatchObject({
      certified: false,
      certifier: certifier.address,
    });
  });

  it('a signature by someone who is not a certifier: SignerNotCertifier(signer)', async () => {
    const w = world();
    const { t, fields } = await setUp(w);
    await nextTimestamp(w.test, t);
    await expectRevert(listWith(w, fields, await signCertificate(outsider, fields)), 'SignerNotCertifier', [
      outsider.address,
    ]);
  });

  it('a forged certificate (fields changed after signing) recovers another address: SignerNotCertifier', async () => {
    const w = world();
    const { t, fields, signature } = await setUp(w);
    await nextTimestamp(w.test, t);
    for (const forged of [
      { ...fields, validUntil: fields.validUntil + 1n },
      { ...fields, subject: bytes32('another image') },
      { ...fields, spec: 'oneclick/v0' },
      { ...fields, issuedAt: fields.issuedAt - 1n },
    ]) {
      const recovered = await recoverTypedDataAddress({ ...certificateTypedData(forged), signature });
      expect(recovered).not.toBe(certifier.address);
      await expectRevert(listWith(w, forged, signature), 'SignerNotCertifier', [recovered]);
    }
    expect(await isCertified(w.test, w.d.entrance, w.d.ethProvider)).toBe(false);
  });

  it('malformed signatures: 64 and 66 bytes (InvalidSignatureLength), high s (InvalidSignatureS), v = 29 (InvalidSignatureV), r = 0 (InvalidSignature)', async () => {
    const w = world();
    const { t, fields, signature } = await setUp(w);
    await nextTimestamp(w.test, t);
    await expectRevert(listWith(w, fields, signature.slice(0, 130) as Hex), 'InvalidSignatureLength', [64n]);
    await expectRevert(listWith(w, fields, `${signature}00`), 'InvalidSignatureLength', [66n]);
    await expectRevert(listWith(w, fields, '0x'), 'InvalidSignatureLength', [0n]);
    const high = highS(signature);
    // The twin is a valid signature of the same signer for ecrecover, but malleable: refused.
    expect(
      await recoverTypedDataAddress({ ...certificateTypedData(fields), signature: high.signature }),
    ).toBe(certifier.address);
    await expectRevert(listWith(w, fields, high.signature), 'InvalidSignatureS', [high.s]);
    await expectRevert(listWith(w, fields, withV(signature, 29)), 'InvalidSignatureV', [29]);
    await expectRevert(listWith(w, fields, withV(signature, 1)), 'InvalidSignatureV', [1]);
    const zeroR = `0x${'00'.repeat(32)}${'00'.repeat(31)}01${'1b'}` as Hex;
    await expectRevert(listWith(w, fields, zeroR), 'InvalidSignature');
    // The untouched signature still works.
    await w.send(listWith(w, fields, signature));
  });
});
