import { cp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import {
  canonicalSha256,
  readCertificate,
  signedFields,
  type Certificate,
} from '../../harness/certificate/index.js';
import { listedProviders } from '../../harness/chain/actions.js';
import { addCertifier, isCertified, listCertified } from '../../harness/chain/certifiers.js';
import { REQUIREMENT_IDS } from '../../harness/spec/requirements.js';
import { expectRevert, useWorld } from '../contracts/fixture.js';
import { runCli } from '../helpers/cli.js';
import { REFERENCE_DIR } from '../provider/reference-fixture.js';
import { certifyViaCli, explain, PROFILE, SEED } from './fixture.js';

// The chain the certified provider contract lives on (the certification boots worlds of its own).
const world = useWorld();

describe('oneclick certify of the reference provider, signed, then listed as certified', () => {
  it(
    'passes every requirement, signs a certificate the Entrance accepts, and a tampered bundle is refused',
    async () => {
      const w = world();
      const key = generatePrivateKey();
      const certifier = privateKeyToAccount(key).address;
      await w.send(addCertifier(w.deployer, w.d.certifierRegistry, certifier));

      const { cli, results, out } = await certifyViaCli(
        REFERENCE_DIR,
        [
          '--sign',
          'env:ONECLICK_CERTIFIER_KEY',
          '--provider-contract',
          w.d.ethProvider,
          '--rpc',
          w.chain.rpcUrl,
        ],
        { ONECLICK_CERTIFIER_KEY: key },
      );
      expect(results.requirements.map((r) => r.id)).toEqual(REQUIREMENT_IDS);
      expect(
        results.requirements.filter((r) => r.verdict !== 'pass'),
        explain(results),
      ).toEqual([]);
      expect(results.outcome).toBe('certified');
      expect(cli.code, cli.stderr.slice(-3000)).toBe(0);
      expect(results.seed).toBe(Number(SEED));
      expect(results.profile).toBe(PROFILE);
      expect(results.provider).toMatchObject({ name: 'reference', version: '0.1.0' });
      expect(results.provider.imageDigest).toMatch(/^sha256:[0-9a-f]{64}$/);
      for (const s of results.scenarios) expect(s.status, `${s.id}: ${s.error}`).toBe('passed');

      // The bundle: certificate.json names this image, contract and chain, and the reports show it.
      const { certificate } = await readCertificate(out);
      const p = certificate.statement.predicate;
      expect(`sha256:${certificate.statement.subject[0]!.digest.sha256}`).toBe(results.provider.imageDigest);
      expect(p.providerContract).toEqual({ address: w.d.ethProvider, chainId: w.chain.chainId });
      expect(p.scenarios.map((s) => s.id).sort()).toEqual(results.scenarios.map((s) => s.id).sort());
      expect(certificate.signature.signer).toBe(certifier);
      expect(cli.stdout).toMatch(/certificate: .*certificate\.json/);
      const junit = await readFile(join(out, 'junit.xml'), 'utf8');
      expect(junit).toContain('<testsuites');
      expect(junit).not.toContain('<failure');
      expect(junit).toMatch(/<property name="certificate\.digest" value="sha256:[0-9a-f]{64}"/);
      const html = await readFile(join(out, 'report.html'), 'utf8');
      expect(html).toContain('PROV-EXTEND');
      expect(html).toMatch(/id="certificate"[^]*verified[^]*signer/);
      // Neither the TSIG secret nor the certifier key is anywhere.
      const written = await Promise.all(
        ['results.json', 'certificate.json'].map((f) => readFile(join(out, f), 'utf8')),
      );
      for (const text of [junit, html, ...written, cli.stdout, cli.stderr]) {
        expect(text).not.toMatch(/hmac-sha256:[A-Za-z0-9+/]{20,}/);
        expect(text).not.toContain(key.slice(2));
      }

      const verified = await runCli(['verify', out, '--certifier', certifier]);
      expect(verified.code, verified.stdout + verified.stderr).toBe(0);

      // Listed through listCertified by the provider's owner: the Entrance shows it certified.
      const fields = signedFields(certificate);
      // The provider's owner lists its contract with these fields and the certifier's signature.
      const listWith = (f: typeof fields) =>
        listCertified(
          w.providerOwner,
          w.d.entrance,
          w.d.ethProvider,
          'reference',
          'https://reference.test',
          f,
          certificate.signature.value,
        );
      await w.send(listWith(fields));
      expect(await isCertified(w.test, w.d.entrance, w.d.ethProvider)).toBe(true);
      const listed = (await listedProviders(w.test, w.d.entrance)).find(
        (i) => i.provider === w.d.ethProvider,
      );
      expect(listed).toMatchObject({ certified: true, certifier, certificate: fields.statement });

      // One byte of results.json changed: verify names the digest; re-digesting it into a new
      // statement (the only way past that check) breaks the signature, and the contract refuses.
      const tampered = `${out}-tampered`;
      await cp(out, tampered, { recursive: true });
      const file = join(tampered, 'results.json');
      const bytes = await readFile(file);
      const at = bytes.indexOf('"outcome": "certified"') + '"outcome": "'.length;
      bytes[at] = 'C'.charCodeAt(0);
      await writeFile(file, bytes);
      const refused = await runCli(['verify', tampered]);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(/invalid: results\.json digest.* did not hold/);
      const forged: Certificate = structuredClone(certificate);
      forged.statement.predicate.results.digest.sha256 = (await import('node:crypto'))
        .createHash('sha256')
        .update(bytes)
        .digest('hex');
      const forgedFields = { ...fields, statement: `0x${canonicalSha256(forged.statement)}` as const };
      await expectRevert(listWith(forgedFields), 'SignerNotCertifier');

      // The replay: the same seed, scenarios and image give the same verdicts (two of the scenarios:
      // the whole suite again would double this test for no other code path).
      const unknown = await runCli(['verify', out, '--replay', '--only', 'payments', 'nope']);
      expect(unknown.code).toBe(2);
      expect(unknown.stderr).toMatch(/--only: the bundle holds no scenario "nope"; it holds .*top-up-timing/);
      const replay = await runCli(
        ['verify', out, '--replay', '--only', 'payments', 'top-up-timing'],
        {},
        20 * 60_000,
      );
      expect(replay.code, replay.stdout + replay.stderr.slice(-3000)).toBe(0);
      expect(replay.stdout).toMatch(
        /replay: the same image and every verdict of payments, top-up-timing the same/,
      );
      const replayed = JSON.parse(await readFile(join(out, 'replay', 'results.json'), 'utf8')) as {
        scenarios: { id: string }[];
      };
      expect(replayed.scenarios.map((s) => s.id).sort()).toEqual(['payments', 'top-up-timing']);
    },
    45 * 60_000,
  );
});
