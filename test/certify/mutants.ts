/**
 * The faulty providers shipped in fixtures/providers/faulty, each with the IDs it must fail. Each is
 * certified with the cheapest set of scenarios that together prove its `mustFail` (SPEC.md §5 lists
 * which prove what): it must fail exactly those IDs, with evidence naming its own bug, and pass every
 * other requirement those scenarios prove.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { generatePrivateKey } from 'viem/accounts';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { loadProvider } from '../../harness/provider/index.js';
import { loadScenarios } from '../../harness/scenario/parse.js';
import { certifyViaCli, explain } from './fixture.js';

export const FAULTY_DIR = fileURLToPath(new URL('../../fixtures/providers/faulty/', import.meta.url));
const SCENARIOS = fileURLToPath(new URL('../../scenarios/*.yaml', import.meta.url));

export const MUTANTS = readdirSync(FAULTY_DIR).sort();

/**
 * What each mutant's failing evidence must say, per requirement it fails: its own bug, not a timeout
 * that any broken provider would show (at least one failing line of the requirement matches).
 */
const WRONG_NID_AT_PORT = /no handshake at [\d.]+:\d+: z6Mk\w+@[\d.]+:\d+: wrong-nid: /;
const SHARED_PORT_HANDSHAKE =
  /no handshake at [\d.]+:\d+(, the port of \w+ \(z6Mk\w+\)|: z6Mk\w+@[\d.]+:\d+: wrong-nid: )/;

const FAILS_WITH: Record<string, Record<string, RegExp>> = {
  amnesia: { 'PROV-CONTROLLER-RESTART': /TXT expiry=\d+, expiryOf on chain is \d+/ },
  'any-emitter': {
    'PROV-FOREIGN': /never: any A\/SRV\/TXT record, HTTP 200 by Host, or a running org-node container/,
  },
  'contract-arithmetic': {
    'CHAIN-TOPUP': /expiryOf\(org\) = \d+ and NewTopUp\(org, \d+\), expected \d+ \(block \d+ \+ 1 × 100\)/,
    'CHAIN-EXTEND': /expected \d+ \(expiry \d+ \+ 2 × 100\)/,
  },
  'contract-permit': { 'CHAIN-TOKEN': /permit top-up of \d+ whole packages? reverted with PermitFailed/ },
  'contract-stop-amount': {
    'CHAIN-STOP':
      /after (cancel|suspend) in block \d+: expiryOf\(org\) = \d+ \(must be <= \d+\), DeploymentStopped at \d+/,
    'CHAIN-INVALID-AMOUNT': /not each reverts with InvalidAmount: \d+: accepted/,
  },
  'eth-only': { 'PROV-TOKEN': /no A record for [0-9a-f]{40}\./ },
  'api-only-edge': { 'PROV-GIT-HTTP': /^git clone http:\/\/\S+ exited \d+: .*not found/ },
  'early-by-one': { 'PROV-CONFIRMATIONS': /^at depth 1 of 2: never: any A\/SRV\/TXT record/ },
  'early-teardown': { 'PROV-GRACE': /^never: incomplete: (A|SRV|TXT|org-node)\b/ },
  'ephemeral-storage': {
    'PROV-NODE-RESTART': /^NID changed: z6Mk\w+ → z6Mk\w+/,
    'PROV-RENEWAL': /^NID changed/,
  },
  'head-final': { 'PROV-REORG': /^GET http:\/\/\S+\/api\/v1\/node still answers 200 with z6Mk\w+/ },
  'idle-limits': {
    'PROV-NAT': /could not connect to z6Mk\w+@\S+ within \d+ ms .*connection reset/,
    'PROV-REPLICATION': /fetches rad:\w+ from the org-node/,
  },
  'ignore-anchors': {
    'PROV-ANCHOR': /GET \/api\/v1\/repos\/rad:\w+ by Host answers 200/,
    'PROV-REPLICATION': /fetches rad:\w+ from the org-node/,
    'PROV-GIT-HTTP': /^git clone http:\/\/\S+ (exited \d+|lacks)/,
  },
  'ignore-confirmations': { 'PROV-CONFIRMATIONS': /^at depth 0 of 2: never: any A\/SRV\/TXT record/ },
  'last-upstream': {
    'PROV-HTTP': /^HTTP by Host answers z6Mk\w+, the node at [\d.]+:\d+ answers z6Mk\w+/,
    // Each org's Host answers another org's NID while its own port answers its own.
    'PROV-ISOLATION': /^HTTP nid: HTTP by Host answers z6Mk\w+, the node at [\d.]+:\d+ answers z6Mk\w+/,
    'PROV-MANY': /^HTTP nid: HTTP by Host answers z6Mk\w+, the node at [\d.]+:\d+ answers z6Mk\w+/,
  },
  // Each SRV port answers another org's node: the fresh handshake with the org's own NID there is refused.
  'next-p2p-node': {
    'PROV-PROVISION': WRONG_NID_AT_PORT,
    'PROV-P2P': WRONG_NID_AT_PORT,
    'PROV-ISOLATION': WRONG_NID_AT_PORT,
    'PROV-MANY': WRONG_NID_AT_PORT,
  },
  // A fresh handshake from a peer that holds its session is reset by the edge itself.
  'one-per-address': {
    'PROV-NAT': /^home: no fresh handshake: z6Mk\w+@\S+:\d+: refused: /,
    'PROV-PARTITION': /^home: no fresh handshake: z6Mk\w+@\S+:\d+: refused: /,
  },
  // Nothing refuses anything: the 768 KiB push over the lossy link just never arrives in time.
  'small-buffers': { 'PROV-LOSSY-LINK': /^office fetches rad:\w+ from the org-node .* not within replicate/ },
  'never-teardown': { 'PROV-EXPIRY': /^(A|PTR|SRV|TXT) /, 'PROV-STOP': /^(A|PTR|SRV|TXT) / },
  'no-browse-ptr': {
    'PROV-PROVISION': /^no browse PTR to the instance of [0-9a-f]{40}\./,
    'PROV-DNS': /^no browse PTR to the instance of [0-9a-f]{40}\./,
  },
  'reorg-final': {
    'PROV-REORG-CONFIRMED': /^(A|PTR|SRV|TXT) /,
    'PROV-DNS': /TXT expiry=\d+, expiryOf on chain is \d+/,
  },
  'restart-in-grace': { 'PROV-GRACE-TOPUP': /the node restarted: started / },
  'restart-on-extend': { 'PROV-EXTEND': /the node restarted: started / },
  // The shared port answers the other org's NID: named as such once the harness knows whose it is.
  'shared-port': {
    'PROV-PROVISION': SHARED_PORT_HANDSHAKE,
    'PROV-P2P': SHARED_PORT_HANDSHAKE,
    'PROV-ISOLATION': /^alpha and beta share the p2p endpoint /,
    'PROV-MANY': /share the p2p endpoint /,
  },
  'wrong-nid': { 'PROV-DNS': /^TXT nid=z6Mk\w+, the node at [\d.]+:\d+ answers z6Mk\w+/ },
};

/**
 * The shipped scenario files that together prove every one of `ids` at the least cost (greedy: the
 * scenario with the lowest declared timeout per id still missing), so a mutant costs CI one or two
 * scenarios.
 */
export function scenariosProving(ids: readonly string[]): string[] {
  const all = loadScenarios(SCENARIOS);
  const missing = new Set(ids.filter((id) => all.some((s) => s.proves.includes(id as never))));
  const chosen: string[] = [];
  while (missing.size > 0) {
    const costOf = (s: (typeof all)[number]) =>
      s.timeoutSeconds / s.proves.filter((id) => missing.has(id)).length;
    const best = all
      .filter((s) => s.proves.some((id) => missing.has(id)))
      .sort((a, b) => costOf(a) - costOf(b) || a.file.localeCompare(b.file))[0]!;
    chosen.push(best.file);
    for (const id of best.proves) missing.delete(id);
  }
  return chosen;
}

/** Certifies one mutant and checks it failed exactly what it declares and passed the rest in scope. */
export async function certifyMutant(name: string): Promise<void> {
  const declared = (await loadProvider(`${FAULTY_DIR}${name}`)).manifest.mustFail ?? [];
  expect(declared.length, `${name} declares no mustFail`).toBeGreaterThan(0);
  const files = scenariosProving(declared);
  // A mutant's run cannot be signed, whatever the suite saw.
  const { cli, results, out } = await certifyViaCli(
    `${FAULTY_DIR}${name}`,
    ['--scenarios', ...files, '--sign', 'env:ONECLICK_CERTIFIER_KEY'],
    { ONECLICK_CERTIFIER_KEY: generatePrivateKey() },
  );
  const inScope = results.requirements.filter((r) => r.scenarios.length > 0);
  expect(inScope.map((r) => r.id)).toEqual(expect.arrayContaining(declared));
  const failed = inScope.filter((r) => r.verdict !== 'pass').map((r) => r.id);
  expect(failed, `${name}:\n${explain(results)}`).toEqual(
    inScope.map((r) => r.id).filter((id) => declared.includes(id)),
  );
  for (const id of declared) {
    const pattern = FAILS_WITH[name]?.[id];
    expect(pattern, `${name}: FAILS_WITH says nothing of ${id}`).toBeInstanceOf(RegExp);
    const messages = results.requirements
      .find((r) => r.id === id)!
      .evidence.filter((e) => e.verdict === 'fail')
      .map((e) => e.message ?? '');
    expect(messages, `${name} fails ${id}, but not with its own bug`).toEqual(
      expect.arrayContaining([expect.stringMatching(pattern!)]),
    );
  }
  expect(results.outcome).toBe('failed');
  expect(cli.stdout).toContain(`as declared: fails exactly`);
  expect(cli.code).toBe(1);
  expect(cli.stderr).toMatch(
    /not signed: only a certified run can be signed, and the provider declares mustFail/,
  );
  expect(existsSync(join(out, 'certificate.json'))).toBe(false);
}
