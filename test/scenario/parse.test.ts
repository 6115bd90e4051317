import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import _Ajv2020 from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { NAT_PRESETS } from '../../harness/net/router.js';
import type { Scenario, Step } from '../../harness/scenario/model.js';
import {
  checkScenario,
  CONDITION_KINDS,
  loadScenario,
  loadScenarios,
  parseScenario,
  SCENARIO_SCHEMA_PATH,
  STEP_KINDS,
} from '../../harness/scenario/parse.js';
import { formatProblem, parseDuration, ScenarioError } from '../../harness/scenario/problems.js';
import {
  DEADLINE_NAMES,
  listProfiles,
  loadProfile,
  parseProfile,
  PROFILES_DIR,
} from '../../harness/scenario/profile.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/scenarios/', import.meta.url));
/** A fixture as errors show it: relative to the working directory (vitest runs from the repo root). */
const shown = (name: string) => relative(process.cwd(), join(FIXTURES, name));
const F = 'x.yaml';

/** A scenario around `steps` (and `world`), as text, so positions are easy to read off. */
function scenario(
  steps: string,
  world = 'orgs: { alpha: contract, beta: address }\npeers: { home: {} }\n',
): string {
  return `scenario: x\ntitle: t\n${world}steps:\n${steps}`;
}

/** The problems of `source`, formatted; fails when it parses. */
function problems(source: string): string[] {
  const checked = checkScenario(source, F);
  expect(checked.scenario, 'must be rejected').toBeUndefined();
  return checked.problems.map(formatProblem);
}

/** The steps of `source`, without index and line (to compare forms). */
function stepsOf(source: string): Array<Omit<Step, 'index' | 'line'>> {
  const checked = checkScenario(source, F);
  expect(checked.problems.map(formatProblem)).toEqual([]);
  return checked.scenario!.steps.map(({ index: _i, line: _l, ...rest }) => rest);
}

function thrown(fn: () => unknown): string[] {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ScenarioError);
    return (error as ScenarioError).problems.map(formatProblem);
  }
  throw new Error('expected a ScenarioError');
}

describe('scenario files: a valid scenario', () => {
  it('parses the full example (every step and condition) into the exact model', () => {
    const parsed = loadScenario(join(FIXTURES, 'full.yaml'));
    const at = (line: number, index: number) => ({ index, line, proves: [] });
    expect(parsed).toEqual({
      file: join(FIXTURES, 'full.yaml'),
      id: 'extension',
      title: 'A top-up on a live deployment only extends it',
      description: 'Every step and condition of the format, once.',
      proves: [
        'CHAIN-TOPUP',
        'CHAIN-INVALID-AMOUNT',
        'PROV-PROVISION',
        'PROV-EXTEND',
        'PROV-ISOLATION',
        'PROV-REPLICATION',
        'PROV-CONFIRMATIONS',
      ],
      orgs: [
        { name: 'alpha', kind: 'contract' },
        { name: 'beta', kind: 'address' },
      ],
      peers: [
        { name: 'home', lan: 'home1', nat: 'port-restricted' },
        { name: 'office', lan: 'office1', nat: 'symmetric' },
        { name: 'outside' },
      ],
      currency: 'eth',
      timeoutSeconds: 300,
      steps: [
        { ...at(13, 0), kind: 'top-up', org: 'alpha', packages: 1 },
        { ...at(14, 1), proves: ['CHAIN-TOPUP'], kind: 'top-up', org: 'alpha', packages: 2 },
        { ...at(15, 2), kind: 'register-then-top-up', org: 'alpha', packages: 1 },
        { ...at(16, 3), proves: ['CHAIN-INVALID-AMOUNT'], kind: 'invalid-top-up', org: 'alpha' },
        { ...at(17, 4), kind: 'cancel', org: 'alpha' },
        { ...at(18, 5), kind: 'suspend', org: 'alpha' },
        { ...at(19, 6), kind: 'create-repo', peer: 'home', repo: 'site' },
        { ...at(20, 7), kind: 'anchor', org: 'alpha', repo: 'site' },
        { ...at(21, 8), kind: 'burst' },
        { ...at(22, 9), kind: 'foreign-top-up', org: 'beta' },
        { ...at(23, 10), kind: 'malformed-log' },
        { ...at(24, 11), kind: 'mine', blocks: 3 },
        { ...at(25, 12), kind: 'confirm' },
        { ...at(26, 13), kind: 'mine-to', org: 'alpha', at: 'grace-end', offset: -1 },
        { ...at(27, 14), kind: 'reorg', depth: 1 },
        { ...at(28, 15), kind: 'kill', target: { kind: 'controller' } },
        { ...at(29, 16), kind: 'start', target: { kind: 'controller' } },
        { ...at(30, 17), kind: 'restart', target: { kind: 'node', org: 'alpha' } },
        { ...at(31, 18), kind: 'pause', target: { kind: 'node', org: 'alpha' } },
        { ...at(32, 19), kind: 'unpause', target: { kind: 'node', org: 'alpha' } },
        { ...at(33, 20), kind: 'partition', peer: 'home', org: 'alpha' },
        { ...at(34, 21), kind: 'heal' },
        { ...at(35, 22), kind: 'loss', peer: 'home', percent: 20 },
        { ...at(36, 23), kind: 'latency', peer: 'home', ms: 100 },
        { ...at(37, 24), kind: 'bandwidth', peer: 'home', kbit: 512 },
        { ...at(38, 25), kind: 'connect', peer: 'home', org: 'alpha' },
        { ...at(39, 26), kind: 'push', peer: 'home', repo: 'site' },
        { ...at(40, 27), kind: 'remember', org: 'alpha', as: 'before' },
        { ...at(41, 28), kind: 'sleep', seconds: 2 },
        {
          ...at(42, 29),
          proves: ['PROV-PROVISION'],
          kind: 'wait',
          condition: { kind: 'served', org: 'alpha' },
          within: { name: 'provision' },
        },
        {
          ...at(43, 30),
          proves: ['PROV-EXTEND'],
          kind: 'expect',
          condition: { kind: 'same-node', org: 'alpha', since: 'before' },
          within: { name: 'update' },
        },
        {
          ...at(44, 31),
          proves: ['PROV-ISOLATION'],
          kind: 'expect',
          condition: { kind: 'isolated', orgs: ['alpha', 'beta'] },
        },
        {
          ...at(45, 32),
          proves: ['PROV-REPLICATION'],
          kind: 'expect',
          condition: { kind: 'fetched', org: 'alpha', peer: 'office', repo: 'site' },
          within: { name: 'replicate' },
        },
        { ...at(47, 33), kind: 'expect', condition: { kind: 'p2p', org: 'alpha', peer: 'home' } },
        { ...at(48, 34), kind: 'expect', condition: { kind: 'burst-served' } },
        {
          ...at(49, 35),
          proves: ['PROV-CONFIRMATIONS'],
          kind: 'never',
          condition: { kind: 'published', org: 'beta' },
          for: { name: 'quiet' },
        },
      ],
    } satisfies Scenario);
  });

  it('every short form means its long form', () => {
    const pairs: Array<[string, string]> = [
      ['top-up: alpha', 'top-up: { org: alpha, packages: 1 }'],
      ['register-then-top-up: alpha', 'register-then-top-up: { org: alpha, packages: 1 }'],
      ['invalid-top-up: alpha', 'invalid-top-up: { org: alpha }'],
      ['cancel: alpha', 'cancel: { org: alpha }'],
      ['suspend: alpha', 'suspend: { org: alpha }'],
      ['foreign-top-up: beta', 'foreign-top-up: { org: beta }'],
      ['burst', 'burst: {}'],
      ['burst:', 'burst: null'],
      ['burst: 10', 'burst: { count: 10 }'],
      ['malformed-log', 'malformed-log: {}'],
      ['mine: 3', 'mine: { blocks: 3 }'],
      ['confirm', 'confirm:'],
      ['mine-to: { org: alpha, at: expiry }', 'mine-to: { org: alpha, at: expiry, offset: 0 }'],
      ['reorg: 1', 'reorg: { depth: 1 }'],
      ['kill: controller', 'kill: { target: controller }'],
      ['restart: node:alpha', 'restart: { target: node:alpha }'],
      ['heal', 'heal: { proves: [] }'],
      ['sleep: 2s', 'sleep: { for: 2 }'],
      ['sleep: 500ms', 'sleep: 0.5'],
      ['sleep: 1m30s', 'sleep: 90'],
      ['expect: burst-served', 'expect: { that: burst-served }'],
      ['expect: { that: p2p, org: alpha }', 'expect: { that: p2p, org: alpha, proves: [] }'],
      ['wait: { until: served, org: alpha, within: 2m }', 'wait: { until: served, org: alpha, within: 120 }'],
      ['top-up: { org: alpha, proves: CHAIN-TOPUP }', 'top-up: { org: alpha, proves: [CHAIN-TOPUP] }'],
      ['top-up: alpha\n    proves: [CHAIN-TOPUP]', 'top-up: { org: alpha, proves: [CHAIN-TOPUP] }'],
    ];
    for (const [short, long] of pairs) {
      // burst-served needs a burst before it.
      const before = short.startsWith('expect: burst') ? '  - burst\n' : '';
      expect(stepsOf(scenario(`${before}  - ${short}\n`)), short).toEqual(
        stepsOf(scenario(`${before}  - ${long}\n`)),
      );
    }
    expect(stepsOf(scenario('  - top-up: alpha\n'))).toEqual([
      { proves: [], kind: 'top-up', org: 'alpha', packages: 1 },
    ]);
    expect(stepsOf(scenario('  - wait: { until: served, org: alpha, within: 2m }\n'))).toEqual([
      { proves: [], kind: 'wait', condition: { kind: 'served', org: 'alpha' }, within: { seconds: 120 } },
    ]);
  });

  it('orgs and peers as lists, empty entries, and the default timeout of 10m', () => {
    const asLists = parseScenario(
      scenario('  - top-up: alpha\n', 'orgs: [alpha, beta]\npeers: [home, office]\n'),
      F,
    );
    const asMaps = parseScenario(
      scenario('  - top-up: alpha\n', 'orgs:\n  alpha:\n  beta: contract\npeers:\n  home:\n  office: {}\n'),
      F,
    );
    for (const s of [asLists, asMaps]) {
      expect(s.orgs).toEqual([
        { name: 'alpha', kind: 'contract' },
        { name: 'beta', kind: 'contract' },
      ]);
      expect(s.peers).toEqual([{ name: 'home' }, { name: 'office' }]);
      expect(s.timeoutSeconds).toBe(600);
    }
    const bare = parseScenario('scenario: bare\ntitle: no world\nsteps: [confirm, { mine: 2 }]\n', F);
    expect(bare).toMatchObject({ orgs: [], peers: [], proves: [], file: join(process.cwd(), F) });
    expect(bare.description).toBeUndefined();
  });

  it('currency: the provider contract served, eth unless it says token; anything else is named', () => {
    const src = (currency: string) => `scenario: paid\ntitle: paid\n${currency}steps: [confirm]\n`;
    expect(parseScenario(src(''), F).currency).toBe('eth');
    expect(parseScenario(src('currency: token\n'), F).currency).toBe('token');
    const { problems } = checkScenario(src('currency: btc\n'), F);
    expect(problems.map((p) => formatProblem(p)).join('\n')).toMatch(/x\.yaml:3:\d+: currency: .*eth.*token/);
  });

  it('peers in one LAN share its router: one that names no NAT gets the LAN’s', () => {
    const s = parseScenario(
      scenario(
        '  - connect: { peer: a, org: alpha }\n',
        'orgs: [alpha]\npeers:\n  a: { lan: home1 }\n  b: { lan: home1, nat: symmetric }\n  c: { lan: lab }\n',
      ),
      F,
    );
    expect(s.peers).toEqual([
      { name: 'a', lan: 'home1', nat: 'symmetric' },
      { name: 'b', lan: 'home1', nat: 'symmetric' },
      { name: 'c', lan: 'lab' },
    ]);
  });

  it('proves: the union of every step’s, in first-seen order, each once', () => {
    const s = parseScenario(
      scenario(
        '  - top-up: { org: alpha, proves: [CHAIN-TOPUP, PROV-PROVISION] }\n' +
          '  - wait: { until: served, org: alpha, within: provision, proves: [PROV-PROVISION, PROV-DNS] }\n' +
          '  - confirm:\n    proves: CHAIN-EXTEND\n',
      ),
      F,
    );
    expect(s.proves).toEqual(['CHAIN-TOPUP', 'PROV-PROVISION', 'PROV-DNS', 'CHAIN-EXTEND']);
    expect(s.steps.map((step) => step.proves)).toEqual([
      ['CHAIN-TOPUP', 'PROV-PROVISION'],
      ['PROV-PROVISION', 'PROV-DNS'],
      ['CHAIN-EXTEND'],
    ]);
  });

  it('durations: ms, s, m, h, combinations and bare seconds', () => {
    expect(parseDuration('500ms')).toBe(0.5);
    expect(parseDuration('90s')).toBe(90);
    expect(parseDuration('2m')).toBe(120);
    expect(parseDuration('1h')).toBe(3600);
    expect(parseDuration('1m30s')).toBe(90);
    expect(parseDuration('1.5s')).toBe(1.5);
    expect(parseDuration(45)).toBe(45);
    expect(parseDuration('2 minutes')).toBeUndefined();
    expect(parseDuration('')).toBeUndefined();
    const s = parseScenario(
      scenario('  - sleep: 1m30s\n').replace('title: t\n', 'title: t\ntimeout: 1h\n'),
      F,
    );
    expect(s.timeoutSeconds).toBe(3600);
  });
});

describe('scenario files: every problem with file:line:column, field and what was expected', () => {
  it('a YAML syntax error, with its position', () => {
    expect(problems(scenario('  - top-up: { org: alpha\n  - confirm\n'))).toEqual([
      `${F}:7:3: YAML syntax error: Flow map in block collection must be sufficiently indented and end with a }`,
    ]);
  });

  it('a key given twice in one mapping, named', () => {
    expect(
      problems('scenario: x\ntitle: t\norgs:\n  alpha: contract\n  alpha: address\nsteps: [confirm]\n'),
    ).toEqual([`${F}:5:3: YAML syntax error: "alpha" appears twice in one mapping (each key once)`]);
  });

  it('an empty file', () => {
    expect(problems('')).toEqual([
      `${F}:1:1: is empty: expected a scenario: scenario: <id>, title: <text>, steps: [...] (see scenarios/README.md)`,
    ]);
  });

  it('an unknown step key, with did-you-mean', () => {
    expect(problems(scenario('  - wiat: { until: served, org: alpha, within: provision }\n'))).toEqual([
      `${F}:6:5: steps[0].wiat: unknown step "wiat" (expected one of ${STEP_KINDS.join(', ')}; did you mean "wait"?)`,
    ]);
    expect(problems(scenario('  - confrim\n'))).toEqual([
      `${F}:6:5: steps[0]: unknown step "confrim" (expected one of ${STEP_KINDS.join(', ')}; did you mean "confirm"?)`,
    ]);
  });

  it('an unknown field in a step, with did-you-mean or what the step takes', () => {
    expect(
      problems(scenario('  - top-up: { org: alpha, packges: 2 }\n  - cancel: { org: alpha, colour: red }\n')),
    ).toEqual([
      `${F}:6:27: steps[0].top-up.packges: unknown field (did you mean "packages"?)`,
      `${F}:7:27: steps[1].cancel.colour: unknown field (cancel takes org, proves)`,
    ]);
  });

  it('a missing field', () => {
    expect(
      problems(scenario('  - anchor: { org: alpha }\n  - wait: { until: served, org: alpha }\n')),
    ).toEqual([
      `${F}:6:5: steps[0].anchor.repo: is required (write anchor: { org, repo })`,
      `${F}:7:5: steps[1].wait.within: is required (write wait: { until, <condition fields>, within })`,
    ]);
    expect(problems('title: t\nsteps: [confirm]\n')).toEqual([
      `${F}:1:1: scenario: is required (the scenario id: lower-case letters, digits and dashes, e.g. scenario: extension)`,
    ]);
  });

  it('a wrong type, with how the step is written', () => {
    expect(
      problems(
        scenario('  - mine: three\n  - anchor: alpha\n  - loss: { peer: home, percent: 200 }\n  - 5\n'),
      ),
    ).toEqual([
      `${F}:6:11: steps[0].mine: must be a whole number ≥ 1 or confirmations, confirmations+k, confirmations-k (counted from the profile), got "three"`,
      `${F}:7:13: steps[1].anchor: must be a mapping, got "alpha" (write anchor: { org, repo })`,
      `${F}:8:34: steps[2].loss.percent: must be ≤ 100, got 200`,
      `${F}:9:5: steps[3]: must be a step: a bare burst / malformed-log / confirm / heal, or a mapping with one step, got 5`,
    ]);
    expect(problems('scenario: x\ntitle: 12\nsteps: [confirm]\n')).toEqual([
      `${F}:2:8: title: must be a string, got 12 (YAML reads it as a number: quote it, "12")`,
    ]);
  });

  it('an unknown org, peer or node:<org>, with the declared names', () => {
    expect(
      problems(
        scenario(
          '  - top-up: alpah\n  - connect: { peer: hom, org: alpha }\n  - kill: node:gamma\n  - expect: { that: isolated, orgs: [alpha, omega] }\n',
        ),
      ),
    ).toEqual([
      `${F}:6:13: steps[0].top-up: unknown org "alpah" (declared: alpha, beta; did you mean "alpha"?)`,
      `${F}:7:22: steps[1].connect.peer: unknown peer "hom" (declared: home; did you mean "home"?)`,
      `${F}:8:11: steps[2].kill: node:gamma names an unknown org "gamma" (declared: alpha, beta)`,
      `${F}:9:45: steps[3].expect.orgs[1]: unknown org "omega" (declared: alpha, beta)`,
    ]);
    expect(problems('scenario: x\ntitle: t\nsteps:\n  - top-up: alpha\n')).toEqual([
      `${F}:4:13: steps[0].top-up: unknown org "alpha" (no orgs are declared: add orgs: { alpha: contract })`,
    ]);
  });

  it('an unknown requirement, with did-you-mean (also for the wrong case)', () => {
    expect(
      problems(
        scenario(
          '  - top-up: { org: alpha, proves: [PROV-PROVISON, chain-topup, CHAIN-TOPUP, CHAIN-TOPUP] }\n',
        ),
      ),
    ).toEqual([
      `${F}:6:36: steps[0].top-up.proves[0]: unknown requirement "PROV-PROVISON" (did you mean "PROV-PROVISION"?)`,
      `${F}:6:51: steps[0].top-up.proves[1]: unknown requirement "chain-topup" (did you mean "CHAIN-TOPUP"?)`,
      `${F}:6:77: steps[0].top-up.proves[3]: "CHAIN-TOPUP" is listed twice`,
    ]);
  });

  it('a repo used before create-repo makes it, or never made', () => {
    expect(
      problems(
        scenario(
          '  - push: { peer: home, repo: site }\n  - create-repo: { peer: home, repo: site }\n  - expect: { that: has-repo, org: alpha, repo: docs }\n  - create-repo: { peer: home, repo: site }\n',
        ),
      ),
    ).toEqual([
      `${F}:6:31: steps[0].push.repo: repo "site" is used before create-repo makes it (at line 7): create it first`,
      `${F}:8:49: steps[2].expect.repo: no create-repo makes repo "docs" (created: site): add - create-repo: { peer: …, repo: docs } before this step`,
      `${F}:9:38: steps[3].create-repo.repo: repo "site" is already created at line 7 (each create-repo makes a new repository: give it another name)`,
    ]);
  });

  it('since: before remember defines it, a name never remembered, or another org’s', () => {
    expect(
      problems(
        scenario(
          '  - expect: { that: same-node, org: alpha, since: before }\n  - remember: { org: alpha, as: before }\n  - expect: { that: same-identity, org: alpha, since: befor }\n  - expect: { that: same-node, org: beta, since: before }\n',
        ),
      ),
    ).toEqual([
      `${F}:6:51: steps[0].expect.since: "before" is used before remember defines it (at line 7): remember it first`,
      `${F}:8:55: steps[2].expect.since: nothing is remembered as "befor" (remembered: before; did you mean "before"?): add - remember: { org: …, as: befor } before this step`,
      `${F}:9:50: steps[3].expect.since: "before" remembers org alpha (line 7), not beta: compare an org with its own past`,
    ]);
  });

  it('conditions: unknown, a field they do not take, a field they need', () => {
    expect(
      problems(
        scenario(
          '  - wait: { until: servd, org: alpha, within: provision }\n  - expect: { that: served, org: alpha, peer: home }\n  - expect: { that: fetched, org: alpha }\n  - expect: served\n  - wait: { that: served, org: alpha, within: 1m }\n',
        ),
      ),
    ).toEqual([
      `${F}:6:20: steps[0].wait.until: unknown condition "servd" (expected one of ${CONDITION_KINDS.join(', ')}; did you mean "served"?)`,
      `${F}:7:41: steps[1].expect.peer: condition "served" does not take peer (served takes org)`,
      `${F}:8:5: steps[2].expect.peer: is required (condition "fetched" needs org, peer and repo)`,
      `${F}:8:5: steps[2].expect.repo: is required (condition "fetched" needs org, peer and repo)`,
      `${F}:9:13: steps[3].expect: condition "served" needs org: write expect: { that: served, org: … }`,
      `${F}:10:5: steps[4].wait.until: is required (write wait: { until, <condition fields>, within })`,
      `${F}:10:13: steps[4].wait.that: unknown field (wait names its condition with until:)`,
    ]);
  });

  it('deadlines and durations: unknown names, malformed, zero', () => {
    expect(
      problems(
        scenario(
          '  - wait: { until: served, org: alpha, within: provison }\n  - sleep: 2x\n  - sleep: 0s\n  - never: { that: gone, org: alpha, for: true }\n',
        ).replace('title: t\n', 'title: t\ntimeout: 10 minutes\n'),
      ),
    ).toEqual([
      `${F}:3:10: timeout: must be a duration such as 500ms, 90s, 2m, 1m30s or a number of seconds, got "10 minutes"`,
      `${F}:7:48: steps[0].wait.within: unknown deadline "provison" (expected a deadline name — ${DEADLINE_NAMES.join(', ')} — or a duration such as 500ms, 90s, 2m, 1m30s or a number of seconds; did you mean "provision"?)`,
      `${F}:8:12: steps[1].sleep: must be a duration such as 500ms, 90s, 2m, 1m30s or a number of seconds, got "2x"`,
      `${F}:9:12: steps[2].sleep: must be longer than 0, got "0s"`,
      `${F}:10:43: steps[3].never.for: must be a deadline name (${DEADLINE_NAMES.join(', ')}) or a duration such as 500ms, 90s, 2m, 1m30s or a number of seconds, got true`,
    ]);
  });

  it('the world: names declared twice, unknown NAT preset, NAT without a LAN, two NATs for one LAN', () => {
    expect(
      problems(
        scenario(
          '  - confirm\n',
          'orgs: [alpha, alpha]\npeers:\n  a: { lan: home1, nat: symetric }\n  b: { nat: symmetric }\n  c: { lan: lab, nat: symmetric }\n  d: { lan: lab, nat: port-restricted }\n',
        ),
      ),
    ).toEqual([
      `${F}:3:15: orgs[1]: org "alpha" is declared twice (first at line 3)`,
      `${F}:5:25: peers.a.nat: unknown NAT preset "symetric" (expected one of ${NAT_PRESETS.join(', ')}; did you mean "symmetric"?)`,
      `${F}:6:13: peers.b.nat: needs a lan: a peer behind NAT sits in a LAN behind its router (e.g. lan: home1); leave out nat for a peer straight on the internet`,
      `${F}:8:23: peers.d.nat: LAN "lab" is already behind a symmetric NAT (peer c, line 7): peers in one LAN share its router`,
    ]);
    expect(problems(scenario('  - confirm\n', 'peers: [p, p]\n'))).toEqual([
      `${F}:3:12: peers[1]: peer "p" is declared twice (first at line 3)`,
    ]);
  });

  it('steps: empty, an item with two steps, a field outside its step, a step without its value', () => {
    expect(problems('scenario: x\ntitle: t\nsteps: []\n')).toEqual([
      `${F}:3:8: steps: must have at least one step`,
    ]);
    expect(
      problems(
        scenario(
          '  - top-up: alpha\n    wait: { until: served, org: alpha, within: 1m }\n  - top-up:\n    org: alpha\n  - top-up\n  - sleep 2s\n  - proves: [PROV-DNS]\n  - expect: burst-served\n  - anchor: { org: beta, repo: x }\n',
        ),
      ),
    ).toEqual([
      `${F}:7:5: steps[0].wait: one step per list item: "top-up" and "wait" are both here (start a new item with "- ")`,
      `${F}:8:12: steps[1].top-up: must be a string or a mapping, got nothing (write top-up: <org>, or top-up: { org, packages? })`,
      `${F}:9:5: steps[1].org: belongs inside top-up: indent it under "top-up:" (a list item holds one step and, at most, proves)`,
      `${F}:10:5: steps[2]: top-up needs a value: top-up: <org>, or top-up: { org, packages? }`,
      `${F}:11:5: steps[3]: missing ":" after "sleep" (write sleep: <duration>, or sleep: { for })`,
      `${F}:12:5: steps[4]: has proves but no step (expected one of ${STEP_KINDS.join(', ')})`,
      `${F}:13:13: steps[5].expect: needs a burst step before it`,
      `${F}:14:20: steps[6].anchor.org: org "beta" is declared as address: anchor needs a contract org (declare beta: contract)`,
      `${F}:14:32: steps[6].anchor.repo: no create-repo makes repo "x": add - create-repo: { peer: …, repo: x } before this step`,
    ]);
  });

  it('several problems of one file are reported together, in file order', () => {
    const file = shown('many-problems.yaml');
    expect(thrown(() => loadScenario(join(FIXTURES, 'many-problems.yaml')))).toEqual([
      `${file}:3:10: timeout: must be a duration such as 500ms, 90s, 2m, 1m30s or a number of seconds, got "10 minutes"`,
      `${file}:6:9: orgs.beta: must be contract or address (empty: contract), got "adress" (expected one of contract, address; did you mean "address"?)`,
      `${file}:8:28: peers.home.nat: unknown NAT preset "symetric" (expected one of port-restricted, symmetric; did you mean "symmetric"?)`,
      `${file}:10:27: steps[0].top-up.packges: unknown field (did you mean "packages"?)`,
      `${file}:11:5: steps[1].wiat: unknown step "wiat" (expected one of ${STEP_KINDS.join(', ')}; did you mean "wait"?)`,
      `${file}:12:5: steps[2].anchor.repo: is required (write anchor: { org, repo })`,
      `${file}:13:11: steps[3].mine: must be a whole number ≥ 1 or confirmations, confirmations+k, confirmations-k (counted from the profile), got "three"`,
      `${file}:14:20: steps[4].wait.until: unknown condition "servd" (expected one of ${CONDITION_KINDS.join(', ')}; did you mean "served"?)`,
      `${file}:15:13: steps[5].top-up: unknown org "gamma" (declared: alpha, beta)`,
      `${file}:16:31: steps[6].push.repo: no create-repo makes repo "site": add - create-repo: { peer: …, repo: site } before this step`,
      `${file}:17:51: steps[7].expect.since: nothing is remembered as "before": add - remember: { org: …, as: before } before this step`,
      `${file}:18:68: steps[8].wait.proves[0]: unknown requirement "PROV-PROVISON" (did you mean "PROV-PROVISION"?)`,
    ]);
  });
});

describe('scenario files: loading many', () => {
  it('a glob loads the matching files sorted by name; a folder loads its YAML files', () => {
    const byGlob = loadScenarios(join(shown('suite'), '*.yaml'));
    expect(byGlob.map((s) => s.id)).toEqual(['provision', 'restart']);
    expect(byGlob[0]!.file).toBe(join(FIXTURES, 'suite', 'a-provision.yaml'));
    expect(byGlob[0]!.proves).toEqual(['CHAIN-TOPUP', 'PROV-PROVISION']);
    expect(loadScenarios([join(FIXTURES, 'suite')]).map((s) => s.id)).toEqual(['provision', 'restart']);
    expect(
      loadScenarios([join(FIXTURES, 'suite', 'b-*.y?ml'), join(FIXTURES, 'suite')]).map((s) => s.id),
    ).toEqual(['restart', 'provision']);
  });

  it('reports every file’s problems together, and two files with one id', () => {
    const dir = shown('duplicate-ids');
    expect(thrown(() => loadScenarios(`${dir}/*.yaml`))).toEqual([
      `${dir}/three.yaml:4:13: steps[0].top-up: unknown org "alpha" (no orgs are declared: add orgs: { alpha: contract })`,
      `${dir}/two.yaml:1:1: scenario: "provision" is also the id of ${dir}/one.yaml (scenario ids are unique across the suite)`,
    ]);
  });

  it('a path that does not exist, a glob that matches nothing, a wildcard in a folder name', () => {
    expect(
      thrown(() => loadScenarios(['nowhere/x.yaml', `${shown('suite')}/*.json`, 'scen*/x.yaml'])),
    ).toEqual([
      'nowhere/x.yaml: no such scenario file or folder',
      `${shown('suite')}/*.json: no files match`,
      'scen*/x.yaml: wildcards (* and ?) go in the file name only, e.g. scenarios/*.yaml',
    ]);
    expect(thrown(() => loadScenario('nowhere.yaml'))).toEqual(['nowhere.yaml: no such scenario file']);
  });
});

describe('scenario schema', () => {
  const schema = JSON.parse(readFileSync(SCENARIO_SCHEMA_PATH, 'utf8')) as {
    $schema: string;
    $defs: Record<
      string,
      { properties?: Record<string, unknown>; required?: string[]; then?: { enum: string[] } } & Record<
        string,
        unknown
      >
    >;
  };

  it('is a draft 2020-12 JSON Schema that accepts the full example on its own', () => {
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    const Ajv2020 = _Ajv2020 as unknown as typeof _Ajv2020.default;
    const validate = new Ajv2020({ strict: true, strictRequired: false, allowUnionTypes: true }).compile(
      schema,
    );
    expect(validate(parse(readFileSync(join(FIXTURES, 'full.yaml'), 'utf8')))).toBe(true);
    expect(validate(parse('scenario: x\ntitle: t\nsteps: [{ wiat: {} }]\n'))).toBe(false);
    expect(
      validate(parse('scenario: x\ntitle: t\nsteps: [{ expect: { that: served, org: a, peer: b } }]\n')),
    ).toBe(false);
  });

  it('names the same steps and conditions as the parser, with the same fields per condition', () => {
    const stepDef = schema.$defs.step as unknown as {
      else: { properties: Record<string, unknown> };
      then: { enum: string[] };
    };
    expect(Object.keys(stepDef.else.properties).filter((k) => k !== 'proves')).toEqual(STEP_KINDS);
    expect(stepDef.then.enum).toEqual(['burst', 'malformed-log', 'confirm', 'heal']);
    expect((schema.$defs.condition as unknown as { enum: string[] }).enum).toEqual(CONDITION_KINDS);
    const fields = ['org', 'orgs', 'peer', 'since', 'repo'];
    const takes: Record<string, string[]> = {};
    for (const kind of CONDITION_KINDS) {
      const def = schema.$defs[`condition-${kind}`]!;
      takes[kind] = fields.filter((f) => def.properties?.[f] !== false);
      for (const f of def.required ?? []) expect(takes[kind], `${kind} requires ${f}`).toContain(f);
    }
    expect(takes).toEqual({
      served: ['org'],
      published: ['org'],
      gone: ['org'],
      incomplete: ['org'],
      'dns-consistent': ['org'],
      'txt-expiry': ['org'],
      p2p: ['org', 'peer'],
      http: ['org'],
      'same-node': ['org', 'since'],
      'same-identity': ['org', 'since'],
      'has-repo': ['org', 'repo'],
      'lacks-repo': ['org', 'repo'],
      fetched: ['org', 'peer', 'repo'],
      isolated: ['orgs'],
      'burst-served': [],
    });
    expect(
      (schema.$defs.deadline as unknown as { else: { then: { enum: string[] } } }).else.then.enum,
    ).toEqual(DEADLINE_NAMES);
  });
});

describe('profiles', () => {
  it('default and quick load with their deadlines in seconds', () => {
    expect(listProfiles()).toEqual(expect.arrayContaining(['default', 'quick']));
    expect(loadProfile('default')).toEqual({
      name: 'default',
      file: join(PROFILES_DIR, 'default.yaml'),
      deadlines: {
        provision: 120,
        update: 60,
        teardown: 60,
        recover: 120,
        connect: 30,
        replicate: 90,
        quiet: 8,
      },
      confirmations: 2,
      graceBlocks: 5,
      burst: 20,
      parallel: 2,
    });
    expect(loadProfile()).toEqual(loadProfile('default'));
    expect(loadProfile('quick')).toEqual({
      name: 'quick',
      file: join(PROFILES_DIR, 'quick.yaml'),
      deadlines: {
        provision: 60,
        update: 30,
        teardown: 45,
        recover: 90,
        connect: 15,
        replicate: 30,
        quiet: 8,
      },
      confirmations: 2,
      graceBlocks: 5,
      burst: 6,
      parallel: 2,
    });
  });

  it('a profile by path, with every way of writing a duration', () => {
    expect(loadProfile(join(FIXTURES, 'profiles', 'tight.yml'))).toMatchObject({
      name: 'tight',
      deadlines: {
        provision: 90,
        update: 45,
        teardown: 0.5,
        recover: 3600,
        connect: 0.5,
        replicate: 90,
        quiet: 2,
      },
      confirmations: 0,
      graceBlocks: 0,
      burst: 1,
      parallel: 1,
    });
  });

  it('an unknown name lists the profiles there are', () => {
    expect(thrown(() => loadProfile('quik'))).toEqual([
      `${relative(process.cwd(), PROFILES_DIR)}: unknown profile "quik" (available: ${listProfiles().join(', ')}; did you mean "quick"?)`,
    ]);
  });

  it('a bad profile: every problem with its position', () => {
    const file = shown('profiles/bad.yaml');
    expect(thrown(() => loadProfile(join(FIXTURES, 'profiles', 'bad.yaml')))).toEqual([
      `${file}:2:14: deadlines.provision: must be a duration such as 500ms, 90s, 2m, 1m30s or a number of seconds, got "2 minutes"`,
      `${file}:4:3: deadlines.teardwn: unknown deadline (expected one of ${DEADLINE_NAMES.join(', ')}; did you mean "teardown"?)`,
      `${file}:8:10: deadlines.quiet: must be longer than 0, got "0s"`,
      `${file}:9:16: confirmations: must be ≥ 0, got -1`,
      `${file}:12:1: paralel: unknown field (did you mean "parallel"?)`,
    ]);
    expect(thrown(() => parseProfile('deadlines: {}\nburst: 2\n', 'p.yaml'))).toEqual([
      'p.yaml:1:1: confirmations: is required',
      'p.yaml:1:1: graceBlocks: is required',
      'p.yaml:1:1: parallel: is required',
      'p.yaml:1:1: deadlines.provision: is required (until a confirmed top-up is served, e.g. provision: 60s)',
      'p.yaml:1:1: deadlines.update: is required (until a change to a live deployment shows, e.g. update: 60s)',
      'p.yaml:1:1: deadlines.teardown: is required (until an expired or stopped deployment is gone, e.g. teardown: 60s)',
      'p.yaml:1:1: deadlines.recover: is required (until a killed org-node or provider is back, e.g. recover: 60s)',
      'p.yaml:1:1: deadlines.connect: is required (until a peer connects to an org-node, e.g. connect: 60s)',
      'p.yaml:1:1: deadlines.replicate: is required (until a push reaches a peer in another LAN, e.g. replicate: 60s)',
      'p.yaml:1:1: deadlines.quiet: is required (how long nothing may appear, e.g. quiet: 60s)',
    ]);
  });
});
