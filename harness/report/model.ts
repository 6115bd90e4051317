/**
 * The results model: the one thing reporters read (JSON, JUnit, HTML). The runner fills it in;
 * nothing here knows how a scenario ran.
 */
export type Verdict = 'pass' | 'fail' | 'skip';
/** Over `--repeat` runs: `flaky` when a requirement both passed and failed. */
export type StableVerdict = Verdict | 'flaky';

/** One observation that decided (part of) a verdict. Values are what was seen, never secrets. */
export interface Evidence {
  requirement: string;
  scenario: string;
  /** Index into the scenario's steps (0-based) and its source line. */
  step: number;
  line?: number;
  verdict: Verdict;
  /** What had to hold, in words ("TXT nid equals the handshake NID"). */
  expected: string;
  /** What was seen (record values, NIDs, HTTP status, block numbers…). */
  observed: Record<string, unknown>;
  /** The deadline the check was held to, as configured and as used. */
  deadline?: { name?: string; seconds?: number; blocks?: number };
  /** Time from the step's start to the verdict. */
  elapsedMs?: number;
  at: string;
  block?: number;
  message?: string;
}

export interface StepResult {
  index: number;
  line?: number;
  /** The step's kind as written (`top-up`, `wait`, `kill`, …). */
  kind: string;
  /** One line a person reads: "top-up alpha (1 package)". */
  summary: string;
  startedAt: string;
  endedAt: string;
  /** Chain head when the step started and ended. */
  blockStart?: number;
  blockEnd?: number;
  status: 'ok' | 'failed' | 'skipped';
  error?: string;
  /** Free-form facts the step learned (tx hash, org address, NID, port…). */
  facts?: Record<string, unknown>;
}

export interface ScenarioResult {
  id: string;
  title: string;
  file: string;
  status: 'passed' | 'failed' | 'error';
  /** Set when the harness (not the provider) broke the scenario. */
  error?: string;
  startedAt: string;
  endedAt: string;
  durationMs: number;
  steps: StepResult[];
  /** The requirements its steps set out to prove (Scenario.proves), also those it never got to. */
  proves?: string[];
  evidence: Evidence[];
  /** Container logs worth reading next to a failure: name → last lines (secrets redacted). */
  logs?: Record<string, string>;
}

export interface RequirementResult {
  id: string;
  level: 'MUST' | 'SHOULD';
  title: string;
  verdict: StableVerdict;
  scenarios: string[];
  evidence: Evidence[];
  /** Only with --repeat: verdict per repetition, in order. */
  runs?: Verdict[];
}

export interface CertificationResults {
  schema: 'oneclick/results/v1';
  provider: { name: string; version: string; image: string; imageDigest?: string; dir: string };
  harness: { name: 'oneclick'; version: string; node: string; docker?: string };
  seed: number;
  profile: string;
  repeat: number;
  startedAt: string;
  endedAt: string;
  durationMs: number;
  /** `certified` only when every MUST passed; `harness-error` when oneclick itself failed. */
  outcome: 'certified' | 'failed' | 'harness-error';
  requirements: RequirementResult[];
  /** Every scenario run (for --repeat: of every repetition, `repetition` 1-based). */
  scenarios: (ScenarioResult & { repetition: number })[];
  /** The provider's declared `mustFail` list, when it has one (mutants). */
  mustFail?: string[];
}

/**
 * A signed certificate next to the reports (certificate.json, SPEC.md §6) and what `oneclick verify`
 * said of it. Not part of results.json: results.json is what the certificate signs.
 */
export interface CertificateSummary {
  /** sha256 of certificate.json as written. */
  digest: string;
  statementDigest: string;
  signer: string;
  /** The provider image, `sha256:…`. */
  subject: string;
  providerContract?: { address: string; chainId: number };
  issuedAt: string;
  issuedBlock?: number;
  validUntil: string;
  verification: { valid: boolean; checks: { name: string; ok: boolean; detail: string }[] };
}
