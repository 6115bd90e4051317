/**
 * The served and gone judgements on observations (pure): each SPEC.md §4 obligation on its own,
 * the requirement it belongs to, what a failure says, and which failures no waiting mends.
 */
import { describe, expect, it } from 'vitest';
import {
  goneObligations,
  parseHttpAnswer,
  parseTxt,
  problemsOf,
  servedObligations,
  type OrgObservation,
} from '../../harness/outside/index.js';
import { overObligations } from '../../harness/scenario/conditions.js';

const ORG = '0x00000000000000000000000000000000000a11ce';
const NAME = '00000000000000000000000000000000000a11ce.org.test';
const NID = 'z6MkrLMMsiPWUcNPHcRaJN7kVVf8TW3nsrcDdCzSm7kd9a1Z';
const OTHER = 'z6MkrLMMsiPWUcNPHcRaJN7kVVf8TW3nsrcDdCzSm7kd9a1Y';

const healthy = (): OrgObservation => ({
  org: ORG,
  name: NAME,
  records: {
    ptr: [`00000000000000000000000000000000000a11ce._radicle-node._tcp.org.test`],
    a: ['198.51.100.20'],
    srv: [{ target: NAME, port: 30001 }],
    txt: [parseTxt([`nid=${NID}`, `expiry=118`])],
  },
  http: { status: 200, nid: NID },
  dials: [{ nid: NID, ok: true }],
  containers: ['run-org-alpha'],
  expiryOnChain: 118n,
  internet: '198.51.100.0/26',
});

const failing = (v: OrgObservation) =>
  servedObligations(v)
    .filter((o) => !o.holds)
    .map((o) => ({ name: o.name, requirement: o.requirement, problem: o.problem, decisive: !!o.decisive }));

describe('served', () => {
  it('holds obligation by obligation for a healthy org', () => {
    const all = servedObligations(healthy());
    expect(all.every((o) => o.holds)).toBe(true);
    expect(all.map((o) => [o.name, o.requirement, o.core])).toEqual([
      ['A', 'PROV-PROVISION', true],
      ['PTR', 'PROV-PROVISION', true],
      ['SRV', 'PROV-PROVISION', true],
      ['TXT', 'PROV-PROVISION', true],
      ['HTTP', 'PROV-HTTP', true],
      ['p2p', 'PROV-P2P', true],
      ['A public', 'PROV-DNS', false],
      ['SRV target', 'PROV-DNS', false],
      ['TXT nid', 'PROV-DNS', false],
      ['TXT expiry', 'PROV-DNS', false],
      ['HTTP nid', 'PROV-HTTP', false],
      ['labels', 'PROV-PROVISION', false],
    ]);
  });

  it('names a wrong TXT nid as PROV-DNS, with what the node at A:port answers, and as decided', () => {
    const v = healthy();
    v.records.txt = [parseTxt([`nid=${OTHER}`, `expiry=118`])];
    v.dials = [{ nid: NID, ok: true }];
    expect(failing(v)).toEqual([
      {
        name: 'TXT nid',
        requirement: 'PROV-DNS',
        problem: `TXT nid=${OTHER}, the node at 198.51.100.20:30001 answers ${NID}`,
        decisive: true,
      },
    ]);
  });

  it('a TXT nid the node answered with before (its node was replaced) fails PROV-DNS, not decided: republishing mends it', () => {
    const v = healthy();
    v.records.txt = [parseTxt([`nid=${OTHER}`, `expiry=118`])];
    v.dials = [{ nid: NID, ok: true }];
    v.answeredBefore = [OTHER];
    expect(failing(v).map((f) => [f.name, f.requirement, f.decisive])).toEqual([
      ['TXT nid', 'PROV-DNS', false],
    ]);
  });

  it('a lagging TXT expiry fails PROV-DNS but is not decided (a provider has `update` to catch up)', () => {
    const v = healthy();
    v.expiryOnChain = 128n;
    expect(failing(v)).toEqual([
      {
        name: 'TXT expiry',
        requirement: 'PROV-DNS',
        problem: 'TXT expiry=118, expiryOf on chain is 128',
        decisive: false,
      },
    ]);
  });

  it("another requirement's contradiction decides a wait only once the step's own obligations hold", () => {
    // The wrong-nid mutant after a top-up: its TXT nid is wrong for good, its TXT expiry only lags.
    const v = healthy();
    v.records.txt = [parseTxt([`nid=${OTHER}`, `expiry=118`])];
    v.expiryOnChain = 128n;
    const txtExpiry = (o: { name: string }) => o.name === 'TXT expiry';
    const lagging = overObligations(servedObligations(v), txtExpiry, 'TXT expiry', {});
    expect(lagging).toMatchObject({ holds: false });
    expect(lagging.decided).toBeUndefined();
    v.expiryOnChain = 118n;
    const caughtUp = overObligations(servedObligations(v), txtExpiry, 'TXT expiry', {});
    expect(caughtUp).toMatchObject({
      holds: true,
      settled: false,
      decided: expect.stringMatching(/^TXT nid: /),
    });
    // The step's own contradiction decides at once.
    const own = overObligations(servedObligations(v), (o) => o.name === 'TXT nid', 'TXT nid', {});
    expect(own).toMatchObject({ holds: false, decided: expect.stringMatching(/^TXT nid: /) });
  });

  it('says what is missing while the org is not served, none of it decided', () => {
    const v = healthy();
    v.records = { a: [], ptr: [], srv: [], txt: [] };
    v.http = { status: 0 };
    v.dials = [];
    v.containers = [];
    const core = servedObligations(v).filter((o) => o.core);
    expect(problemsOf(core)).toEqual([
      `A: no A record for ${NAME}`,
      `PTR: no browse PTR to the instance of ${NAME}`,
      `SRV: no SRV record for ${NAME}`,
      `TXT: no TXT nid= at ${NAME}`,
      'HTTP: no A record to ask',
      'p2p: nothing to dial: no A record',
    ]);
    expect(core.some((o) => o.decisive)).toBe(false);
  });

  it('a port another org answers on is decided; an A off the internet is PROV-DNS', () => {
    const v = healthy();
    v.dials = [{ nid: NID, ok: false, error: 'timed out' }];
    v.sharedWith = { beta: OTHER };
    expect(failing(v)).toEqual([
      {
        name: 'p2p',
        requirement: 'PROV-P2P',
        problem: `no handshake at 198.51.100.20:30001, the port of beta (${OTHER})`,
        decisive: true,
      },
    ]);
    const w = healthy();
    w.records.a = ['172.18.0.5'];
    expect(failing(w)).toMatchObject([
      {
        name: 'A public',
        requirement: 'PROV-DNS',
        problem: 'A 172.18.0.5 is not on internet (198.51.100.0/26)',
      },
    ]);
  });

  it('a port whose node lacks the key TXT and HTTP agree on is decided; one that does not answer is not', () => {
    const wrong = `${NID}@198.51.100.20:30001: wrong-nid: the node at 198.51.100.20:30001 rejected message 3`;
    const v = healthy();
    v.dials = [{ nid: NID, ok: false, error: wrong }];
    expect(failing(v)).toEqual([
      {
        name: 'p2p',
        requirement: 'PROV-P2P',
        problem: `no handshake at 198.51.100.20:30001: ${wrong}`,
        decisive: true,
      },
    ]);
    // Records that disagree with HTTP may still be catching up: not decided by the port alone.
    const lagging = healthy();
    lagging.http = { status: 200, nid: OTHER };
    lagging.dials = [
      { nid: OTHER, ok: false, error: wrong },
      { nid: NID, ok: false, error: wrong },
    ];
    expect(failing(lagging).find((f) => f.name === 'p2p')?.decisive).toBe(false);
    const refused = healthy();
    refused.dials = [
      { nid: NID, ok: false, error: `${NID}@198.51.100.20:30001: refused: connection refused` },
    ];
    expect(failing(refused).map((f) => f.decisive)).toEqual([false]);
  });

  it('HTTP routed to another node than the port is PROV-HTTP; no labelled container is PROV-PROVISION', () => {
    const v = healthy();
    v.http = { status: 200, nid: OTHER };
    v.dials = [
      { nid: OTHER, ok: false, error: 'handshake failed' },
      { nid: NID, ok: true },
    ];
    v.containers = [];
    expect(failing(v).map((f) => [f.name, f.requirement, f.decisive])).toEqual([
      ['HTTP nid', 'PROV-HTTP', true],
      ['labels', 'PROV-PROVISION', true],
    ]);
  });
});

describe('gone', () => {
  const lastSeen = { address: '198.51.100.20', port: 30001, nid: NID };
  const base = {
    org: ORG as `0x${string}`,
    name: NAME,
    records: { a: [], ptr: [], srv: [], txt: [] },
    http: { status: 0 },
    containers: [],
    lastSeen,
  };

  it('needs every record type absent, the last port not answering the NID, the Host not routed to it', () => {
    expect(
      problemsOf(goneObligations({ ...base, dial: { nid: NID, at: '198.51.100.20:30001', ok: false } })),
    ).toEqual([]);
    expect(
      problemsOf(
        goneObligations({
          ...base,
          records: { a: [], ptr: [], srv: [], txt: [parseTxt([`nid=${NID}`])] },
          http: { status: 200, nid: NID },
          dial: { nid: NID, at: '198.51.100.20:30001', ok: true },
          containers: ['run-org-alpha'],
        }),
      ),
    ).toEqual([
      `no TXT: TXT "nid=${NID}"`,
      `p2p gone: 198.51.100.20:30001 still answers a handshake with ${NID}`,
      `HTTP gone: GET http://${NAME}/api/v1/node still answers 200 with ${NID}`,
      'no node: running: run-org-alpha',
    ]);
  });

  it('a Host answered by another node is not the org still routed', () => {
    expect(problemsOf(goneObligations({ ...base, http: { status: 200, nid: OTHER } }))).toEqual([]);
  });
});

describe('HTTP answers read from a peer', () => {
  it('reads the status and the body, also a chunked one', () => {
    expect(parseHttpAnswer('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}')).toEqual({
      status: 200,
      body: '{}',
    });
    expect(
      parseHttpAnswer(
        'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\n{"a\r\n4\r\n":1}\r\n0\r\n\r\n',
      ),
    ).toEqual({ status: 200, body: '{"a":1}' });
    expect(parseHttpAnswer('garbage')).toEqual({ status: 0, body: '' });
  });
});
