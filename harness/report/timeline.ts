/**
 * The SVG timeline of one scenario run in report.html: a row per step (a bar from its start to its
 * end, coloured by what the step is), its evidence as markers at their time (pass a green dot, fail a
 * red cross, skip a grey diamond), the deadlines its checks were held to, and the chain head beside
 * each row. Pure markup, no script: every fact is in a native <title> tooltip, every text escaped.
 */
import type { Evidence, ScenarioResult, StepResult } from './model.js';
import { describeDeadline, describeEvidence, describeStepRef, offsetMs } from './describe.js';
import { escapeMarkup as esc, humanDuration, printable } from './text.js';

export type StepCategory = 'chain' | 'fault' | 'peer' | 'observation' | 'other';

const KINDS: [StepCategory, string[]][] = [
  [
    'chain',
    [
      'top-up',
      'register-then-top-up',
      'invalid-top-up',
      'cancel',
      'suspend',
      'anchor',
      'burst',
      'foreign-top-up',
      'malformed-log',
      'mine',
      'confirm',
      'mine-to',
      'reorg',
    ],
  ],
  [
    'fault',
    ['kill', 'start', 'restart', 'pause', 'unpause', 'partition', 'heal', 'loss', 'latency', 'bandwidth'],
  ],
  ['peer', ['connect', 'create-repo', 'push']],
  ['observation', ['wait', 'expect', 'never']],
];
const CATEGORY = new Map(KINDS.flatMap(([category, kinds]) => kinds.map((k) => [k, category] as const)));

/** What a step is, by its kind: chain action, fault, peer action, observation, or other (sleep, remember…). */
export function stepCategory(kind: string): StepCategory {
  return CATEGORY.get(kind) ?? 'other';
}

// Geometry, in viewBox units: the width is fixed, the height grows with the rows.
const WIDTH = 1200;
const LABEL_X = 8;
const LABEL_CHARS = 40;
const BLOCKS_X = 326; // right edge of the block column
const X0 = 340; // the plot: seconds since the scenario started
const X1 = WIDTH - 20;
const LEGEND_H = 22;
const AXIS_H = 20;
const ROW_H = 18;
const BAR_H = 12;
const MIN_BAR = 3;
/** A deadline after the scenario's end is drawn this far right of the axis' end, with an arrow. */
const BEYOND_DX = 6;
/** Markers closer than this on one row are spread apart (their titles keep the exact time). */
const MARK_GAP = 8;
/** Rows from which the time axis is also drawn under the chart. */
const BOTTOM_AXIS_ROWS = 16;
const TICK_STEPS_S = [1, 2, 5, 10, 15, 20, 30, 60, 120, 180, 300, 600, 900, 1200, 1800, 3600, 7200];

/** A number for an attribute: finite, at most one decimal. */
function num(v: number): string {
  return Number.isFinite(v) ? String(Math.round(v * 10) / 10) : '0';
}

/** At most `n` characters (code points, after control characters are made visible), then "…". */
function truncate(text: string, n: number): string {
  const chars = Array.from(printable(text));
  return chars.length > n ? `${chars.slice(0, n - 1).join('')}…` : chars.join('');
}

function title(text: string): string {
  return `<title>${esc(text)}</title>`;
}

/** "0 s", "45 s", "2 min", "2 min 30 s". */
function tickLabel(s: number): string {
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  return s % 60 ? `${m} min ${s % 60} s` : `${m} min`;
}

function tickStep(spanS: number): number {
  return TICK_STEPS_S.find((t) => spanS / t <= 10) ?? Math.ceil(spanS / 10 / 3600) * 3600;
}

/** "100→103", "100", "". */
function blocks(step: StepResult): string {
  const { blockStart: a, blockEnd: b } = step;
  if (a === undefined && b === undefined) return '';
  return a === undefined || b === undefined || a === b ? String(a ?? b) : `${a}→${b}`;
}

/** The label of a step's row: its kind, then the summary without the kind repeated at its start. */
function rowLabel(step: StepResult): { kind: string; rest: string } {
  const summary = step.summary.startsWith(`${step.kind} `)
    ? step.summary.slice(step.kind.length + 1)
    : step.summary;
  const n = `${step.index + 1} `;
  const kind = truncate(step.kind, LABEL_CHARS - n.length);
  const rest = truncate(summary, Math.max(1, LABEL_CHARS - n.length - kind.length - 1));
  return { kind: `${n}${kind}`, rest };
}

function legend(): string {
  const items: [string, string][] = [
    ['chain', '<rect class="tl-swatch chain" x="0" y="-5" width="14" height="10"/>'],
    ['fault', '<rect class="tl-swatch fault" x="0" y="-5" width="14" height="10"/>'],
    ['peer', '<rect class="tl-swatch peer" x="0" y="-5" width="14" height="10"/>'],
    ['observation', '<rect class="tl-swatch observation" x="0" y="-5" width="14" height="10"/>'],
    ['other', '<rect class="tl-swatch other" x="0" y="-5" width="14" height="10"/>'],
    ['pass', `<g class="tl-key pass" transform="translate(7,0)">${mark('pass')}</g>`],
    ['fail', `<g class="tl-key fail" transform="translate(7,0)">${mark('fail')}</g>`],
    ['skip', `<g class="tl-key skip" transform="translate(7,0)">${mark('skip')}</g>`],
    ['deadline', `<g class="tl-key deadline" transform="translate(7,0)">${deadlineMark(-6, 6)}</g>`],
  ];
  let x = LABEL_X;
  const parts = items.map(([text, symbol]) => {
    const part = `<g class="tl-legend-item" transform="translate(${x},${LEGEND_H / 2})">${symbol}<text class="tl-legend-text" x="19" y="4">${text}</text></g>`;
    x += 26 + text.length * 6.5;
    return part;
  });
  return `<g class="tl-legend">${title('colours: what a step is; markers: evidence verdicts; ticks: deadlines')}${parts.join('')}<text class="tl-axis-title" x="${X1}" y="${LEGEND_H / 2 + 4}" text-anchor="end">time since the scenario started →</text></g>`;
}

/** An evidence marker centred on 0,0: a dot (pass), a cross (fail), a diamond (skip). */
function mark(verdict: string): string {
  if (verdict === 'pass') return '<circle class="tl-mark" r="4.5"/>';
  if (verdict === 'fail') {
    const cross = 'M-4.5,-4.5L4.5,4.5M-4.5,4.5L4.5,-4.5';
    return `<path class="tl-halo" d="${cross}"/><path class="tl-mark" d="${cross}"/>`;
  }
  return '<path class="tl-mark" d="M0,-5L5,0L0,5L-5,0Z"/>';
}

/** A deadline: a vertical line over the row with a flag at its top. */
function deadlineMark(top: number, bottom: number): string {
  return `<line x1="0" y1="${num(top)}" x2="0" y2="${num(bottom)}"/><path d="M0,${num(top)}l5,2.5l-5,2.5Z"/>`;
}

function axis(y: number, x: (ms: number) => number, endMs: number, labelsAbove: boolean): string {
  const step = tickStep(endMs / 1000);
  const ticks: string[] = [];
  for (let s = 0; s * 1000 <= endMs; s += step) {
    const tx = num(x(s * 1000));
    const ty = labelsAbove ? y - 6 : y + 13;
    ticks.push(
      `<line class="tl-tick" x1="${tx}" y1="${y - 3}" x2="${tx}" y2="${y + 3}"/><text class="tl-tick-label" x="${tx}" y="${ty}" text-anchor="middle">${tickLabel(s)}</text>`,
    );
  }
  return `<g class="tl-axis">${title(`seconds since the scenario started, a tick every ${tickLabel(step)}`)}<line class="tl-axis-line" x1="${X0}" y1="${y}" x2="${X1}" y2="${y}"/>${ticks.join('')}</g>`;
}

function grid(top: number, bottom: number, x: (ms: number) => number, endMs: number): string {
  const step = tickStep(endMs / 1000);
  const lines: string[] = [];
  for (let s = 0; s * 1000 <= endMs; s += step) {
    const gx = num(x(s * 1000));
    lines.push(`<line x1="${gx}" y1="${top}" x2="${gx}" y2="${bottom}"/>`);
  }
  return `<g class="tl-grid">${lines.join('')}</g>`;
}

interface Row {
  step?: StepResult;
  evidence: Evidence[];
}

/** The timeline of one scenario run, as an inline <svg class="timeline"> (in a scrolling wrapper). */
export function renderTimeline(run: ScenarioResult): string {
  const since = (iso: string) => Math.max(0, offsetMs(run.startedAt, iso));
  const stepIndexes = new Set(run.steps.map((s) => s.index));
  const rows: Row[] = run.steps.map((step) => ({
    step,
    evidence: run.evidence.filter((e) => e.step === step.index),
  }));
  const orphans = run.evidence.filter((e) => !stepIndexes.has(e.step));
  if (orphans.length) rows.push({ evidence: orphans });

  const stepOfIndex = new Map(run.steps.map((s) => [s.index, s]));
  const evidenceMs = (e: Evidence): number => {
    if (Number.isFinite(Date.parse(e.at))) return since(e.at);
    const step = stepOfIndex.get(e.step);
    return (step ? since(step.startedAt) : 0) + Math.max(0, e.elapsedMs ?? 0);
  };
  const endMs = Math.max(
    1000,
    Number.isFinite(run.durationMs) ? run.durationMs : 0,
    ...run.steps.map((s) => Math.max(since(s.startedAt), since(s.endedAt))),
    ...run.evidence.map(evidenceMs),
  );
  const x = (ms: number) => X0 + (Math.min(Math.max(ms, 0), endMs) / endMs) * (X1 - X0);

  const top = LEGEND_H + AXIS_H;
  const shownRows = Math.max(rows.length, 1);
  const bottom = top + shownRows * ROW_H;
  const withBottomAxis = shownRows >= BOTTOM_AXIS_ROWS;
  const height = bottom + (withBottomAxis ? AXIS_H + 4 : 6);

  const body = rows.map((row, i) => renderRow(row, top + i * ROW_H, i, x, endMs, since, evidenceMs));
  if (!rows.length) {
    body.push(
      `<text class="tl-empty" x="${X0 + 8}" y="${top + ROW_H / 2 + 4}">no step ran${title('this scenario ran no step')}</text>`,
    );
  }
  const failed = run.evidence.filter((e) => e.verdict === 'fail').length;
  const summary = `timeline of ${run.id}: ${run.steps.length} steps, ${run.evidence.length} evidence (${failed} failed) over ${humanDuration(endMs)}`;
  return `<div class="tl-wrap"><svg class="timeline" viewBox="0 0 ${WIDTH} ${height}" width="${WIDTH}" height="${height}" role="img" aria-label="${esc(summary)}" data-scenario="${esc(run.id)}">
${title(summary)}
${legend()}
<text class="tl-head" x="${LABEL_X}" y="${top - 6}">step</text><text class="tl-head" x="${BLOCKS_X}" y="${top - 6}" text-anchor="end">blocks</text>
${axis(top, x, endMs, true)}
${grid(top, bottom, x, endMs)}
${body.join('\n')}
${withBottomAxis ? axis(bottom, x, endMs, false) : ''}
</svg></div>`;
}

function renderRow(
  row: Row,
  y: number,
  i: number,
  x: (ms: number) => number,
  endMs: number,
  since: (iso: string) => number,
  evidenceMs: (e: Evidence) => number,
): string {
  const { step } = row;
  const mid = y + ROW_H / 2;
  const parts = [
    `<rect class="tl-row${i % 2 ? ' odd' : ''}" x="0" y="${y}" width="${WIDTH}" height="${ROW_H}"/>`,
  ];
  if (step) {
    const category = stepCategory(step.kind);
    const label = rowLabel(step);
    const where = `${describeStepRef(step.index, step.line)} ${step.kind}: ${step.summary}`;
    parts.push(
      `<text class="tl-label" x="${LABEL_X}" y="${mid + 4}">${title(where)}<tspan class="tl-kind">${esc(label.kind)}</tspan> ${esc(label.rest)}</text>`,
    );
    const b = blocks(step);
    if (b) {
      parts.push(
        `<text class="tl-blocks" x="${BLOCKS_X}" y="${mid + 4}" text-anchor="end">${title(`chain head: block ${b}`)}${esc(b)}</text>`,
      );
    }
    const stepStartMs = since(step.startedAt);
    const endedMs = Math.max(stepStartMs, since(step.endedAt));
    const x1 = x(stepStartMs);
    const w = Math.max(MIN_BAR, x(endedMs) - x1);
    const bx = Math.min(x1, X1 - w);
    const facts = [
      where,
      `${step.status}: +${humanDuration(stepStartMs)} → +${humanDuration(endedMs)} (${humanDuration(endedMs - stepStartMs)})`,
      b ? `blocks ${b}` : '',
      step.error ? `error: ${step.error}` : '',
    ].filter(Boolean);
    parts.push(
      `<rect class="tl-step ${category} ${esc(step.status)}" data-step="${step.index}" data-kind="${esc(step.kind)}" data-start-ms="${num(stepStartMs)}" data-end-ms="${num(endedMs)}" x="${num(bx)}" y="${mid - BAR_H / 2}" width="${num(w)}" height="${BAR_H}" rx="2">${title(facts.join('\n'))}</rect>`,
    );
    parts.push(...deadlines(row.evidence, stepStartMs, mid, x, endMs));
  } else {
    parts.push(
      `<text class="tl-label" x="${LABEL_X}" y="${mid + 4}">${title('evidence whose step is not among the steps')}evidence outside the steps</text>`,
    );
  }
  const marks = [...row.evidence].sort((a, b) => evidenceMs(a) - evidenceMs(b));
  let lastX = -Infinity;
  for (const e of marks) {
    const ms = evidenceMs(e);
    const mx = Math.min(X1, Math.max(x(ms), lastX + MARK_GAP));
    lastX = mx;
    const facts = `${describeEvidence(e, step)}\n+${humanDuration(ms)} since the scenario started`;
    parts.push(
      `<g class="tl-evidence ${esc(e.verdict)}" data-requirement="${esc(e.requirement)}" data-step="${num(e.step)}" data-ms="${num(ms)}" transform="translate(${num(mx)},${mid})">${title(facts)}${mark(e.verdict)}</g>`,
    );
  }
  return `<g class="tl-line" data-row="${i}">${parts.join('')}</g>`;
}

/** The deadlines the row's checks were held to, from the step's start (one tick per distinct deadline). */
function deadlines(
  evidence: Evidence[],
  startMs: number,
  mid: number,
  x: (ms: number) => number,
  endMs: number,
): string[] {
  const byKey = new Map<
    string,
    { deadline: NonNullable<Evidence['deadline']>; seconds: number; requirements: string[] }
  >();
  for (const e of evidence) {
    const seconds = e.deadline?.seconds;
    if (!e.deadline || seconds === undefined || !Number.isFinite(seconds) || seconds < 0) continue;
    const key = `${e.deadline.name ?? ''}\u0000${seconds}`;
    const entry = byKey.get(key) ?? { deadline: e.deadline, seconds, requirements: [] };
    entry.requirements.push(e.requirement);
    byKey.set(key, entry);
  }
  return [...byKey.values()].map(({ deadline, seconds, requirements }) => {
    const atMs = startMs + seconds * 1000;
    const beyond = atMs > endMs;
    const facts = [
      `deadline ${describeDeadline(deadline)} of ${[...new Set(requirements)].join(', ')}`,
      `from the step's start: +${humanDuration(startMs)} → +${humanDuration(atMs)}`,
      beyond ? "(after the scenario's end: drawn at the right edge)" : '',
    ].filter(Boolean);
    return `<g class="tl-deadline${beyond ? ' beyond' : ''}" data-seconds="${num(seconds)}" data-ms="${num(atMs)}" transform="translate(${num(beyond ? X1 + BEYOND_DX : x(atMs))},0)">${title(facts.join('\n'))}${deadlineMark(mid - ROW_H / 2 + 1, mid + ROW_H / 2 - 1)}${beyond ? `<path class="tl-beyond" d="M3,${num(mid - 4)}l5,4l-5,4Z"/>` : ''}</g>`;
  });
}
