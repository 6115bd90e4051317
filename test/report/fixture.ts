/**
 * CertificationResults as the runner would fill them in, built from a short description of scenario
 * runs, and judged with the real verdict functions.
 */
import type {
  CertificateSummary,
  CertificationResults,
  Evidence,
  ScenarioResult,
  StepResult,
  Verdict,
} from '../../harness/report/model.js';
import { combineRepetitions, judgeRequirements, outcome } from '../../harness/report/verdicts.js';

/** What provider output can look like: markup, quotes, ampersands, ANSI colours and control characters. */
export const HOSTILE = `<script>alert("pwned")</script> & 'x' <&"'> \u0001\u0008\u001b[31mred\u001b[0m\u000b`;
/** Stands for the world's TSIG secret; the reports must never carry it. */
export const SECRET = 'hmac-sha256:oneclick-tsig:c2VjcmV0LXRzaWcta2V5LXZhbHVl';
export const redactSecret = (s: string) => s.split(SECRET).join('[redacted]');

const T0 = Date.parse('2025-03-01T10:00:00.000Z');
const iso = (ms: number) => new Date(T0 + ms).toISOString();

export interface CheckSpec {
  requirement: string;
  verdict: Verdict;
  expected?: string;
  observed?: Record<string, unknown>;
  deadline?: Evidence['deadline'];
  message?: string;
}

export interface StepSpec {
  kind: string;
  summary: string;
  status?: StepResult['status'];
  error?: string;
  checks?: CheckSpec[];
}

export interface RunSpec {
  id: string;
  title?: string;
  status?: ScenarioResult['status'];
  error?: string;
  /** Requirements the scenario set out to prove; default: those its checks name. */
  proves?: string[];
  steps: StepSpec[];
  logs?: Record<string, string>;
  repetition?: number;
}

/** One scenario run: steps 10 s apart, 3 blocks each, evidence at the end of its step. */
export function scenarioRun(spec: RunSpec, offsetMs = 0): ScenarioResult & { repetition: number } {
  const steps: StepResult[] = [];
  const evidence: Evidence[] = [];
  spec.steps.forEach((s, index) => {
    const start = offsetMs + index * 10_000;
    steps.push({
      index,
      line: 10 + index * 3,
      kind: s.kind,
      summary: s.summary,
      startedAt: iso(start),
      endedAt: iso(start + 8_000),
      blockStart: 100 + index * 3,
      blockEnd: 103 + index * 3,
      status: s.status ?? 'ok',
      ...(s.error && { error: s.error }),
    });
    for (const c of s.checks ?? []) {
      evidence.push({
        requirement: c.requirement,
        scenario: spec.id,
        step: index,
        line: 10 + index * 3,
        verdict: c.verdict,
        expected: c.expected ?? `${c.requirement} holds`,
        observed: c.observed ?? { nid: 'z6MkfT3pQ1' },
        ...(c.deadline && { deadline: c.deadline }),
        elapsedMs: 4_200,
        at: iso(start + 4_200),
        block: 102 + index * 3,
        ...(c.message && { message: c.message }),
      });
    }
  });
  const durationMs = spec.steps.length * 10_000;
  return {
    id: spec.id,
    title: spec.title ?? `The ${spec.id} scenario`,
    file: `scenarios/${spec.id}.yaml`,
    status: spec.status ?? (evidence.some((e) => e.verdict === 'fail') ? 'failed' : 'passed'),
    ...(spec.error && { error: spec.error }),
    startedAt: iso(offsetMs),
    endedAt: iso(offsetMs + durationMs),
    durationMs,
    steps,
    proves: spec.proves ?? [...new Set(evidence.map((e) => e.requirement))],
    evidence,
    ...(spec.logs && { logs: spec.logs }),
    repetition: spec.repetition ?? 1,
  };
}

/** Whole results from runs grouped by repetition (`perRepetition[0]` = repetition 1). */
export function certificationResults(
  perRepetition: RunSpec[][],
  extra: Partial<CertificationResults> = {},
): CertificationResults {
  let offset = 0;
  const scenarios = perRepetition.flatMap((runs, rep) =>
    runs.map((spec) => {
      const run = scenarioRun({ ...spec, repetition: rep + 1 }, offset);
      offset += run.durationMs;
      return run;
    }),
  );
  const judged = perRepetition.map((_, rep) => {
    const runs = scenarios.filter((s) => s.repetition === rep + 1);
    return judgeRequirements(
      runs.flatMap((s) => s.evidence),
      { scenariosRun: runs.map((s) => ({ id: s.id, proves: s.proves ?? [] })) },
    );
  });
  const requirements = combineRepetitions(judged);
  return {
    schema: 'oneclick/results/v1',
    provider: {
      name: 'acme-oneclick',
      version: '1.2.3',
      image: 'oneclick-provider/acme:1.2.3',
      imageDigest: 'sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef',
      dir: 'fixtures/providers/acme',
    },
    harness: { name: 'oneclick', version: '0.1.0', node: '20.19.0', docker: '26.1.5' },
    seed: 42,
    profile: 'default',
    repeat: perRepetition.length,
    startedAt: iso(0),
    endedAt: iso(offset),
    durationMs: offset,
    outcome: outcome(requirements, extra.mustFail),
    requirements,
    scenarios,
    ...extra,
  };
}

/** A provisioning scenario where DNS disagrees with the node (PROV-DNS fails with hostile output). */
export const PROVISION_FAILING_DNS: RunSpec = {
  id: 'provision-basic',
  title: 'A top-up is provisioned and served',
  steps: [
    {
      kind: 'top-up',
      summary: 'top-up alpha (1 package)',
      checks: [{ requirement: 'CHAIN-TOPUP', verdict: 'pass' }],
    },
    { kind: 'confirm', summary: 'mine 2 blocks to confirm' },
    {
      kind: 'wait',
      summary: 'wait served alpha',
      checks: [
        { requirement: 'PROV-PROVISION', verdict: 'pass', deadline: { name: 'provision', seconds: 120 } },
        { requirement: 'PROV-HTTP', verdict: 'pass' },
      ],
    },
    {
      kind: 'expect',
      summary: 'expect dns-consistent alpha',
      status: 'failed',
      error: `TXT nid differs: ${HOSTILE}`,
      checks: [
        {
          requirement: 'PROV-DNS',
          verdict: 'fail',
          expected: 'TXT nid equals the handshake NID',
          observed: {
            txt: `nid=${HOSTILE}`,
            handshakeNid: 'z6MkfT3pQ1',
            records: ['A 203.0.113.7', 'SRV 0 0 8776'],
          },
          deadline: { name: 'update', seconds: 30 },
          message: 'TXT record carries a different NID',
        },
      ],
    },
  ],
  logs: { controller: `starting\n\u001b[32mINFO\u001b[0m reconciling alpha\n${HOSTILE}\nlast line` },
};

/** An expiry scenario that passes. */
export const EXPIRY_PASSING: RunSpec = {
  id: 'expiry',
  title: 'A deployment goes away at expiry + grace',
  steps: [
    {
      kind: 'top-up',
      summary: 'top-up beta (1 package)',
      checks: [{ requirement: 'CHAIN-TOPUP', verdict: 'pass' }],
    },
    {
      kind: 'mine-to',
      summary: 'mine to grace-end of beta',
      checks: [{ requirement: 'PROV-GRACE', verdict: 'pass' }],
    },
    {
      kind: 'wait',
      summary: 'wait gone beta',
      checks: [{ requirement: 'PROV-EXPIRY', verdict: 'pass', deadline: { name: 'teardown', seconds: 60 } }],
    },
  ],
};

/** One run of both scenarios: PROV-DNS fails, the outcome is `failed`. */
export function failingResults(): CertificationResults {
  return certificationResults([[PROVISION_FAILING_DNS, EXPIRY_PASSING]]);
}

/** Three repetitions in which PROV-HTTP passes twice and fails once (flaky). */
export function flakyResults(): CertificationResults {
  const httpFails: RunSpec = {
    id: 'http-route',
    title: 'HTTP is routed by Host',
    steps: [
      {
        kind: 'expect',
        summary: 'expect http alpha',
        status: 'failed',
        checks: [
          {
            requirement: 'PROV-HTTP',
            verdict: 'fail',
            expected: 'HTTP answers with the NID',
            observed: { status: 502 },
          },
        ],
      },
    ],
  };
  const httpPasses: RunSpec = {
    ...httpFails,
    steps: [
      {
        kind: 'expect',
        summary: 'expect http alpha',
        checks: [{ requirement: 'PROV-HTTP', verdict: 'pass' }],
      },
    ],
  };
  return certificationResults([
    [EXPIRY_PASSING, httpPasses],
    [EXPIRY_PASSING, httpFails],
    [EXPIRY_PASSING, httpPasses],
  ]);
}

/** What `certify --sign` passes the reporters next to a certified run (one check failed, to show it). */
export const CERTIFICATE: CertificateSummary = {
  digest: 'ab'.repeat(32),
  statementDigest: `sha256:${'cd'.repeat(32)}`,
  signer: '0x00000000000000000000000000000000000C0FFE',
  subject: 'sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef',
  providerContract: { address: '0x00000000000000000000000000000000000a11ce', chainId: 31337 },
  issuedAt: '2026-12-01T12:00:00.000Z',
  issuedBlock: 12,
  validUntil: '2027-03-01T12:00:00.000Z',
  verification: {
    valid: false,
    checks: [
      { name: 'signature', ok: true, detail: 'recovers to 0x…C0FFE' },
      { name: 'validity window', ok: false, detail: `expired <b>${HOSTILE}</b>` },
    ],
  },
};
