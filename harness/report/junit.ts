/**
 * junit.xml in the shape CI systems read (Jenkins/GitLab/GitHub: testsuites > testsuite > testcase >
 * failure | error | skipped, system-out; times in seconds). First a `requirements` suite with one
 * testcase per requirement (the certification's verdicts: flaky is a failure of type "flaky"), then one
 * suite per scenario run whose testcases are the requirements it checked.
 */
import type {
  CertificateSummary,
  CertificationResults,
  Evidence,
  RequirementResult,
  ScenarioResult,
} from './model.js';
import {
  describeBlocks,
  describeEvidence,
  offsetMs,
  scenarioLabel,
  scenarioOfEvidence,
  stepOf,
  whySkipped,
} from './describe.js';
import { junitTimestamp, junitXml, type Suite, type TestCase } from './junit-xml.js';
import { seconds } from './text.js';
import { scenarioVerdicts } from './verdicts.js';

function maxElapsed(evidence: readonly Evidence[]): number | undefined {
  const all = evidence.flatMap((e) => (e.elapsedMs !== undefined ? [e.elapsedMs] : []));
  return all.length ? Math.max(...all) : undefined;
}

function failureText(evidence: readonly Evidence[], scenarios: readonly ScenarioOf[]): string {
  return evidence
    .map((e) => {
      const scenario = scenarioOfEvidence(scenarios, e);
      return describeEvidence(e, scenario && stepOf(scenario, e));
    })
    .join('\n\n');
}

type ScenarioOf = CertificationResults['scenarios'][number];

function requirementCase(r: RequirementResult, results: CertificationResults): TestCase {
  const base = { name: r.id, classname: 'oneclick.requirements', timeMs: maxElapsed(r.evidence) };
  const failed = r.evidence.filter((e) => e.verdict === 'fail');
  const title = `${r.level}: ${r.title}`;
  switch (r.verdict) {
    case 'pass':
      return { ...base, outcome: { kind: 'pass' } };
    case 'skip':
      return { ...base, outcome: { kind: 'skip', message: whySkipped(r.scenarios) } };
    case 'flaky': {
      const runs = r.runs ?? [];
      const passed = runs.filter((v) => v === 'pass').length;
      const message = `flaky: passed ${passed} of ${runs.length} runs (${runs.join(', ')})`;
      const text = `${title}\n${message}\n\n${failureText(failed, results.scenarios)}`;
      return { ...base, outcome: { kind: 'failure', type: 'flaky', message, text } };
    }
    case 'fail': {
      const message = failed[0] ? `expected: ${failed[0].expected}` : 'failed';
      const text = `${title}\n\n${failureText(failed, results.scenarios)}`;
      return { ...base, outcome: { kind: 'failure', type: 'fail', message, text } };
    }
  }
}

function scenarioCases(s: ScenarioOf): TestCase[] {
  const classname = `oneclick.scenario.${s.id}`;
  const cases: TestCase[] = [...scenarioVerdicts(s)].map(([id, verdict]) => {
    const own = s.evidence.filter((e) => e.requirement === id);
    const base = { name: id, classname, timeMs: maxElapsed(own) };
    if (verdict === 'pass') return { ...base, outcome: { kind: 'pass' } };
    if (verdict === 'skip') {
      return { ...base, outcome: { kind: 'skip', message: 'the scenario stopped before checking it' } };
    }
    const failed = own.filter((e) => e.verdict === 'fail');
    const message = failed[0] ? `expected: ${failed[0].expected}` : 'failed';
    return { ...base, outcome: { kind: 'failure', type: 'fail', message, text: failureText(failed, [s]) } };
  });
  if (s.status === 'error') {
    const message = s.error ?? 'the harness broke this scenario';
    cases.push({
      name: 'harness',
      classname,
      outcome: { kind: 'error', type: 'harness-error', message, text: message },
    });
  } else if (s.status === 'failed' && !cases.some((c) => c.outcome.kind === 'failure')) {
    const failedSteps = s.steps.filter((step) => step.status === 'failed');
    const text = failedSteps
      .map((step) => `step ${step.index + 1} ${step.summary}: ${step.error ?? ''}`)
      .join('\n');
    cases.push({
      name: 'scenario',
      classname,
      outcome: { kind: 'failure', type: 'scenario-failed', message: s.error ?? 'scenario failed', text },
    });
  }
  return cases;
}

/** The step timeline and the container logs, as a person reads them in CI. */
function scenarioSystemOut(s: ScenarioResult): string {
  const steps = s.steps.map((step) => {
    const at = `+${seconds(offsetMs(s.startedAt, step.startedAt))}s`;
    const blocks = describeBlocks(step);
    const error = step.error ? ` — ${step.error}` : '';
    return `${at} ${step.index + 1}. [${step.status}] ${step.kind}: ${step.summary}${blocks ? ` (${blocks})` : ''}${error}`;
  });
  const logs = Object.entries(s.logs ?? {}).map(([name, text]) => `--- logs: ${name} ---\n${text}`);
  return [`${s.title} (${s.file}): ${s.status}${s.error ? ` — ${s.error}` : ''}`, ...steps, ...logs].join(
    '\n',
  );
}

function requirementsSuite(results: CertificationResults, certificate?: CertificateSummary): Suite {
  const counts = ['pass', 'fail', 'flaky', 'skip'].map(
    (v) => `${results.requirements.filter((r) => r.verdict === v).length} ${v}`,
  );
  return {
    name: 'requirements',
    timeMs: results.durationMs,
    timestamp: junitTimestamp(results.startedAt),
    properties: {
      provider: results.provider.name,
      'provider.version': results.provider.version,
      'provider.image': results.provider.image,
      'provider.imageDigest': results.provider.imageDigest,
      'harness.version': results.harness.version,
      seed: results.seed,
      profile: results.profile,
      repeat: results.repeat,
      outcome: results.outcome,
      mustFail: results.mustFail?.join(','),
      'certificate.digest': certificate && `sha256:${certificate.digest}`,
      'certificate.signer': certificate?.signer,
      'certificate.validUntil': certificate?.validUntil,
      'certificate.verified': certificate && String(certificate.verification.valid),
    },
    cases: results.requirements.map((r) => requirementCase(r, results)),
    systemOut: `outcome: ${results.outcome} (${counts.join(', ')})`,
  };
}

/** The text of junit.xml. */
export function renderJunit(results: CertificationResults, certificate?: CertificateSummary): string {
  const suites: Suite[] = [
    requirementsSuite(results, certificate),
    ...results.scenarios.map((s) => ({
      name: scenarioLabel(s, results.repeat),
      timeMs: s.durationMs,
      timestamp: junitTimestamp(s.startedAt),
      properties: {
        file: s.file,
        status: s.status,
        repetition: results.repeat > 1 ? s.repetition : undefined,
      },
      cases: scenarioCases(s),
      systemOut: scenarioSystemOut(s),
    })),
  ];
  return junitXml(
    `oneclick ${results.provider.name} ${results.provider.version}`,
    suites,
    results.durationMs,
  );
}
