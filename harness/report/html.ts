/**
 * report.html: one self-contained page (inline CSS and script, nothing fetched; a Content-Security-Policy
 * forbids anything else), readable from file://. Header and outcome, failures first, flaky requirements
 * (with --repeat), the requirement × scenario matrix, and each scenario's timeline (an SVG chart of
 * its steps and evidence, timeline.ts, then the step table with the evidence under the step that
 * produced it). Every text is escaped: provider output is untrusted.
 */
import { createHash } from 'node:crypto';
import type {
  CertificateSummary,
  CertificationResults,
  Evidence,
  RequirementResult,
  StableVerdict,
  StepResult,
} from './model.js';
import {
  describeBlocks,
  describeDeadline,
  describeStepRef,
  offsetMs,
  scenarioLabel,
  scenarioOfEvidence,
  whySkipped,
} from './describe.js';
import { SCRIPT, STYLE } from './html-style.js';
import { escapeMarkup as esc, humanDuration, showValue } from './text.js';
import { renderTimeline } from './timeline.js';
import { mutantMismatch, scenarioVerdicts, stableVerdictOf } from './verdicts.js';

type Run = CertificationResults['scenarios'][number];

/** Everything the page's parts need: the results and how to link to a scenario run. */
interface Page {
  results: CertificationResults;
  anchorOf: (run: Run) => string;
  labelOf: (run: Run) => string;
}

const OUTCOME_TEXT: Record<CertificationResults['outcome'], string> = {
  certified: 'CERTIFIED',
  failed: 'FAILED',
  'harness-error': 'HARNESS ERROR',
};

function badge(kind: string, text = kind): string {
  return `<span class="badge ${esc(kind)}">${esc(text)}</span>`;
}

function link(href: string, text: string): string {
  return `<a href="#${esc(href)}">${esc(text)}</a>`;
}

function header({ results }: Page): string {
  const { provider, harness } = results;
  const facts: [string, string | undefined][] = [
    ['image', provider.image],
    ['image digest', provider.imageDigest],
    ['provider dir', provider.dir],
    [
      'harness',
      `${harness.name} ${harness.version} (Node ${harness.node}${harness.docker ? `, Docker ${harness.docker}` : ''})`,
    ],
    ['profile', results.profile],
    ['seed', String(results.seed)],
    ['repeat', String(results.repeat)],
    ['duration', humanDuration(results.durationMs)],
    ['started', results.startedAt],
    ['ended', results.endedAt],
  ];
  const counts = (['fail', 'flaky', 'skip', 'pass'] as const)
    .map((v) => [v, results.requirements.filter((r) => r.verdict === v).length] as const)
    .filter(([, n]) => n > 0)
    .map(([v, n]) => badge(v, `${n} ${v}`))
    .join(' ');
  return `<header>
<div class="head"><h1>${esc(provider.name)} <small>${esc(provider.version)}</small></h1>
<span id="outcome" class="badge outcome ${esc(results.outcome)}">${esc(OUTCOME_TEXT[results.outcome])}</span></div>
<p class="counts">Requirements: ${counts || 'none'}</p>
<dl class="facts">${facts
    .filter((f): f is [string, string] => f[1] !== undefined)
    .map(([k, v]) => `<dt>${esc(k)}</dt><dd>${esc(v)}</dd>`)
    .join('')}</dl>
${mutantNote(results)}
</header>`;
}

function mutantNote(results: CertificationResults): string {
  if (!results.mustFail?.length) return '';
  const { unexpectedFailures, missingFailures } = mutantMismatch(results.requirements, results.mustFail);
  const declared = `This provider is a deliberate mutant: it must fail ${results.mustFail.map(esc).join(', ')} and pass the rest.`;
  if (!unexpectedFailures.length && !missingFailures.length) {
    return `<p id="mutant">${declared} ${badge('pass', 'judged as declared')}</p>`;
  }
  const parts = [
    missingFailures.length ? `did not fail: ${missingFailures.map(esc).join(', ')}` : '',
    unexpectedFailures.length ? `did not pass: ${unexpectedFailures.map(esc).join(', ')}` : '',
  ].filter(Boolean);
  return `<p id="mutant">${declared} ${badge('fail', 'not judged as declared')} ${parts.join('; ')}</p>`;
}

function observedTable(observed: Record<string, unknown>): string {
  const rows = Object.entries(observed);
  if (!rows.length) return '<span class="muted">nothing</span>';
  return `<table class="observed">${rows
    .map(([k, v]) => `<tr><td>${esc(k)}</td><td><code>${esc(showValue(v))}</code></td></tr>`)
    .join('')}</table>`;
}

/** One evidence: where (optional), what had to hold, what was seen, the deadline, when. */
function evidenceBlock(e: Evidence, where?: string): string {
  const when = [
    e.elapsedMs !== undefined ? `after ${humanDuration(e.elapsedMs)}` : '',
    e.block !== undefined ? `block ${e.block}` : '',
    `at ${e.at}`,
  ].filter(Boolean);
  const rows: [string, string][] = [
    ['expected', esc(e.expected)],
    ['observed', observedTable(e.observed)],
  ];
  if (e.deadline) rows.push(['deadline', esc(describeDeadline(e.deadline))]);
  if (e.message) rows.push(['message', `<span class="error-text">${esc(e.message)}</span>`]);
  return `<div class="evidence ${esc(e.verdict)}">
<div class="where">${badge(e.verdict)} <b>${esc(e.requirement)}</b>${where ? ` · ${where}` : ''} · ${esc(when.join(', '))}</div>
<dl>${rows.map(([k, v]) => `<dt>${esc(k)}</dt><dd>${v}</dd>`).join('')}</dl>
</div>`;
}

/** A passing (or unreached) check in one line: it needs less room than a failure. */
function evidenceLine(e: Evidence): string {
  const observed = Object.entries(e.observed)
    .map(([k, v]) => `${esc(k)}=<code>${esc(showValue(v))}</code>`)
    .join(' ');
  const deadline = e.deadline ? ` · deadline ${esc(describeDeadline(e.deadline))}` : '';
  const elapsed = e.elapsedMs !== undefined ? ` · after ${esc(humanDuration(e.elapsedMs))}` : '';
  return `<div class="evidence line ${esc(e.verdict)}">${badge(e.verdict)} <b>${esc(e.requirement)}</b> ${esc(
    e.expected,
  )}${observed ? ` · ${observed}` : ''}${deadline}${elapsed}</div>`;
}

/** Failures in full, the rest in one line. */
function evidenceInTimeline(e: Evidence): string {
  return e.verdict === 'fail' ? evidenceBlock(e) : evidenceLine(e);
}

function evidenceWhere(page: Page, e: Evidence): string {
  const run = scenarioOfEvidence(page.results.scenarios, e);
  const step = run?.steps.find((s) => s.index === e.step);
  const stepText = `${describeStepRef(e.step, e.line ?? step?.line)}${step ? ` ${step.kind}: ${step.summary}` : ''}`;
  const scenario = run ? link(page.anchorOf(run), page.labelOf(run)) : esc(e.scenario);
  const logs =
    run?.logs && Object.keys(run.logs).length ? ` · ${link(`${page.anchorOf(run)}-logs`, 'logs')}` : '';
  return `${scenario} · ${esc(stepText)}${logs}`;
}

function requirementHeading(r: RequirementResult): string {
  return `${badge(r.verdict)} ${esc(r.id)} <span class="muted">${esc(r.level)}</span> ${esc(r.title)}`;
}

function failuresSection(page: Page): string {
  const { results } = page;
  const failed = results.requirements.filter((r) => r.verdict === 'fail');
  const broken = results.scenarios.filter((s) => s.status === 'error');
  if (!failed.length && !broken.length) {
    return `<section id="failures"><h2>Failures</h2><p class="muted">No requirement failed.</p></section>`;
  }
  const requirementParts = failed.map(
    (r) => `<article class="failure" data-requirement="${esc(r.id)}"><h3>${requirementHeading(r)}</h3>
${r.evidence
  .filter((e) => e.verdict === 'fail')
  .map((e) => evidenceBlock(e, evidenceWhere(page, e)))
  .join('\n')}</article>`,
  );
  const harnessParts = broken.map(
    (s) =>
      `<article class="failure"><h3>${badge('harness-error', 'harness error')} ${link(page.anchorOf(s), page.labelOf(s))}</h3>
<p class="error-text">${esc(s.error ?? 'the harness broke this scenario')}</p></article>`,
  );
  const involved = results.scenarios.filter(
    (s) =>
      s.logs &&
      Object.keys(s.logs).length &&
      (s.status !== 'passed' || s.evidence.some((e) => e.verdict === 'fail')),
  );
  const logs = involved.length
    ? `<h3>Logs of the failed scenarios</h3>\n${involved.map((s) => logsBlock(page, s)).join('\n')}`
    : '';
  return `<section id="failures"><h2>Failures</h2>
${[...requirementParts, ...harnessParts].join('\n')}
${logs}</section>`;
}

function logsBlock(page: Page, run: Run): string {
  const entries = Object.entries(run.logs ?? {});
  const lines = entries.reduce((n, [, text]) => n + text.split('\n').length, 0);
  return `<details class="logs" id="${esc(page.anchorOf(run))}-logs"><summary>logs of ${esc(page.labelOf(run))}: ${esc(
    entries.map(([name]) => name).join(', '),
  )} (${lines} lines)</summary>
${entries.map(([name, text]) => `<h4>${esc(name)}</h4><pre>${esc(text)}</pre>`).join('\n')}</details>`;
}

function flakySection(page: Page): string {
  const { results } = page;
  if (results.repeat <= 1) return '';
  const flaky = results.requirements.filter((r) => r.verdict === 'flaky');
  if (!flaky.length) {
    return `<section id="flaky"><h2>Flaky</h2><p class="muted">Every requirement gave the same verdict in all ${results.repeat} runs.</p></section>`;
  }
  const rows = flaky.map((r) => {
    const runs = (r.runs ?? []).map((v, i) => badge(v, `${i + 1}: ${v}`)).join(' ');
    const failedEvidence = r.evidence.filter((e) => e.verdict === 'fail');
    const details = failedEvidence.length
      ? `<details><summary>${failedEvidence.length} failed check(s)</summary>${failedEvidence
          .map((e) => evidenceBlock(e, evidenceWhere(page, e)))
          .join('\n')}</details>`
      : '';
    return `<tr data-requirement="${esc(r.id)}"><td>${requirementHeading(r)}${details}</td><td>${runs}</td></tr>`;
  });
  return `<section id="flaky"><h2>Flaky</h2>
<p class="muted">Requirements that passed in some of the ${results.repeat} runs but not in all: they do not count as passing.</p>
<table><thead><tr><th>requirement</th><th>runs</th></tr></thead><tbody>${rows.join('\n')}</tbody></table></section>`;
}

/** The verdict of one requirement in one scenario over its repetitions; undefined when unrelated. */
function cellVerdict(runs: readonly Run[], requirement: string): StableVerdict | undefined {
  const verdicts = runs.flatMap((run) => {
    const v = scenarioVerdicts(run).get(requirement);
    return v ? [v] : [];
  });
  return verdicts.length ? stableVerdictOf(verdicts) : undefined;
}

function matrixSection(page: Page): string {
  const { results } = page;
  const ids = [...new Set(results.scenarios.map((s) => s.id))];
  const runsOf = (id: string) => results.scenarios.filter((s) => s.id === id);
  const head = ids
    .map((id) => {
      const first = runsOf(id)[0] as Run;
      return `<th class="scenario" title="${esc(first.title)}">${link(page.anchorOf(first), id)}</th>`;
    })
    .join('');
  const rows = results.requirements.map((r) => {
    const cells = ids
      .map((id) => {
        const v = cellVerdict(runsOf(id), r.id);
        return v
          ? `<td class="cell ${v}" title="${esc(`${r.id} in ${id}: ${v}`)}">${v}</td>`
          : '<td class="cell none">·</td>';
      })
      .join('');
    const why = r.verdict === 'skip' ? ` title="${esc(whySkipped(r.scenarios))}"` : '';
    return `<tr data-verdict="${esc(r.verdict)}" data-requirement="${esc(r.id)}"><td class="mono">${esc(r.id)}</td><td>${esc(
      r.level,
    )}</td><td class="verdict"${why}>${badge(r.verdict)}</td><td class="title">${esc(r.title)}</td>${cells}</tr>`;
  });
  const filters = `<div id="filters" class="filters" hidden>Show: ${(
    ['fail', 'flaky', 'skip', 'pass'] as const
  )
    .map((v) => `<label><input type="checkbox" value="${v}" checked> ${v}</label>`)
    .join('')}<input type="search" placeholder="filter by text" aria-label="filter requirements"></div>`;
  return `<section id="requirements"><h2>Requirements</h2>
${filters}
<table class="matrix" id="matrix"><thead><tr><th>requirement</th><th>level</th><th>verdict</th><th>title</th>${head}</tr></thead>
<tbody>
${rows.join('\n')}
</tbody></table></section>`;
}

function stepRows(page: Page, run: Run, step: StepResult): string {
  const evidence = run.evidence.filter((e) => e.step === step.index);
  const error = step.error ? `<div class="error-text">${esc(step.error)}</div>` : '';
  const row = `<tr class="step ${esc(step.status)}"><td class="num">${step.index + 1}</td><td class="at">+${esc(
    humanDuration(offsetMs(run.startedAt, step.startedAt)),
  )}</td><td class="blocks">${esc(describeBlocks(step))}</td><td class="mono">${esc(step.kind)}</td><td>${badge(
    step.status,
  )}</td><td>${esc(step.summary)}${step.line !== undefined ? ` <span class="muted">line ${step.line}</span>` : ''}${error}</td></tr>`;
  if (!evidence.length) return row;
  return `${row}\n<tr class="ev"><td colspan="6">${evidence.map(evidenceInTimeline).join('\n')}</td></tr>`;
}

function scenarioBlock(page: Page, run: Run): string {
  const stepIndexes = new Set(run.steps.map((s) => s.index));
  const orphans = run.evidence.filter((e) => !stepIndexes.has(e.step));
  const logs =
    run.logs && Object.keys(run.logs).length ? ` · ${link(`${page.anchorOf(run)}-logs`, 'logs')}` : '';
  return `<details class="scenario" id="${esc(page.anchorOf(run))}"${run.status === 'passed' ? '' : ' open'}>
<summary>${badge(run.status)} ${esc(page.labelOf(run))} — ${esc(run.title)} <span class="muted">${esc(
    humanDuration(run.durationMs),
  )} · ${esc(run.file)}</span></summary>
${run.error ? `<p class="error-text">${esc(run.error)}</p>` : ''}
<p class="muted">started ${esc(run.startedAt)}${logs}</p>
${renderTimeline(run)}
<table class="timeline"><thead><tr><th>#</th><th>at</th><th>blocks</th><th>step</th><th>status</th><th>summary</th></tr></thead>
<tbody>
${run.steps.map((step) => stepRows(page, run, step)).join('\n')}
</tbody></table>
${orphans.length ? `<h4>Evidence outside the steps</h4>${orphans.map(evidenceInTimeline).join('\n')}` : ''}
</details>`;
}

function scenariosSection(page: Page): string {
  const runs = page.results.scenarios;
  return `<section id="scenarios"><h2>Scenarios</h2>
${runs.length ? runs.map((run) => scenarioBlock(page, run)).join('\n') : '<p class="muted">No scenario ran.</p>'}
</section>`;
}

/** The signed certificate beside these results, and `oneclick verify`'s word on it. */
function certificateSection(c: CertificateSummary | undefined): string {
  if (!c) return '';
  const facts: [string, string | undefined][] = [
    ['signer', c.signer],
    ['subject (image)', c.subject],
    [
      'provider contract',
      c.providerContract && `${c.providerContract.address} on chain ${c.providerContract.chainId}`,
    ],
    ['issued', `${c.issuedAt}${c.issuedBlock !== undefined ? ` (block ${c.issuedBlock})` : ''}`],
    ['valid until', c.validUntil],
    ['statement digest', c.statementDigest],
    ['certificate.json', `sha256:${c.digest}`],
  ];
  const rows = c.verification.checks
    .map(
      (k) =>
        `<tr><td>${badge(k.ok ? 'pass' : 'fail', k.ok ? 'ok' : 'FAIL')}</td><td>${esc(k.name)}</td><td>${esc(k.detail)}</td></tr>`,
    )
    .join('');
  return `<section id="certificate"><h2>Certificate ${badge(c.verification.valid ? 'pass' : 'fail', c.verification.valid ? 'verified' : 'NOT valid')}</h2>
<dl class="facts">${facts
    .filter((f): f is [string, string] => f[1] !== undefined)
    .map(([k, v]) => `<dt>${esc(k)}</dt><dd>${esc(v)}</dd>`)
    .join('')}</dl>
<table><thead><tr><th></th><th>check</th><th>detail</th></tr></thead><tbody>${rows}</tbody></table>
</section>`;
}

/** The text of report.html. */
export function renderHtml(results: CertificationResults, certificate?: CertificateSummary): string {
  const page: Page = {
    results,
    anchorOf: (run) => `scenario-${results.scenarios.indexOf(run)}`,
    labelOf: (run) => scenarioLabel(run, results.repeat),
  };
  const scriptHash = createHash('sha256').update(SCRIPT).digest('base64');
  const csp = `default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-${scriptHash}'; img-src data:`;
  const failures = results.requirements.filter((r) => r.verdict === 'fail').length;
  const title = `oneclick: ${results.provider.name} ${results.provider.version} — ${OUTCOME_TEXT[results.outcome]}`;
  const nav = [
    certificate ? link('certificate', 'Certificate') : '',
    link('failures', `Failures (${failures})`),
    results.repeat > 1 ? link('flaky', 'Flaky') : '',
    link('requirements', 'Requirements'),
    link('scenarios', `Scenarios (${results.scenarios.length})`),
  ].filter(Boolean);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>${esc(title)}</title>
<style>${STYLE}</style>
</head>
<body>
${header(page)}
<nav>${nav.join('')}</nav>
${certificateSection(certificate)}
${failuresSection(page)}
${flakySection(page)}
${matrixSection(page)}
${scenariosSection(page)}
<footer>Written by ${esc(results.harness.name)} ${esc(results.harness.version)} · results schema ${esc(results.schema)}</footer>
<script>${SCRIPT}</script>
</body>
</html>
`;
}
