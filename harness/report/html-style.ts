/**
 * The inline stylesheet and filter script of report.html. The page works without the script (every
 * verdict is in the markup); the script only adds filtering of the requirement matrix.
 */

export const STYLE = `
:root { --pass: #1a7f37; --fail: #cf222e; --skip: #6e7781; --flaky: #9a6700; --line: #d0d7de; --soft: #f6f8fa; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: #1f2328; margin: 0 auto; padding: 16px 24px 48px; max-width: 1400px; }
h1 { font-size: 22px; margin: 0 0 4px; } h1 small { color: #59636e; font-weight: normal; }
h2 { font-size: 18px; border-bottom: 1px solid var(--line); padding-bottom: 4px; margin-top: 32px; }
h3 { font-size: 15px; margin: 16px 0 6px; }
code, pre, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12.5px; }
pre { background: var(--soft); border: 1px solid var(--line); padding: 8px; overflow: auto; max-height: 480px; white-space: pre-wrap; word-break: break-all; }
a { color: #0969da; text-decoration: none; } a:hover { text-decoration: underline; }
.head { display: flex; gap: 16px; align-items: center; flex-wrap: wrap; }
.badge { display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: 12px; font-weight: 600; color: #fff; background: var(--skip); white-space: nowrap; }
.badge.pass, .badge.ok, .badge.passed, .badge.certified { background: var(--pass); }
.badge.fail, .badge.failed, .badge.error, .badge.harness-error { background: var(--fail); }
.badge.flaky { background: var(--flaky); }
.badge.skip, .badge.skipped { background: var(--skip); }
.outcome { font-size: 16px; padding: 4px 14px; border-radius: 14px; }
dl.facts { display: grid; grid-template-columns: max-content 1fr max-content 1fr; gap: 2px 12px; margin: 12px 0; }
dl.facts dt { color: #59636e; } dl.facts dd { margin: 0; word-break: break-all; }
nav { margin: 8px 0; } nav a { margin-right: 14px; }
table { border-collapse: collapse; }
th, td { border: 1px solid var(--line); padding: 3px 6px; vertical-align: top; text-align: left; }
th { background: var(--soft); }
.matrix td.cell { text-align: center; font-size: 12px; font-weight: 600; min-width: 34px; }
.matrix th.scenario { writing-mode: vertical-rl; transform: rotate(180deg); white-space: nowrap; font-weight: normal; font-size: 12px; }
.matrix td.title { max-width: 520px; color: #424a53; }
td.cell.pass { color: var(--pass); background: #dafbe1; } td.cell.fail { color: #fff; background: var(--fail); }
td.cell.flaky { color: #fff; background: var(--flaky); } td.cell.skip { color: var(--skip); background: #eaeef2; }
td.cell.none { color: #afb8c1; }
.evidence { border-left: 4px solid var(--skip); background: #fff; padding: 4px 10px; margin: 6px 0; }
.evidence.fail { border-color: var(--fail); background: #fff5f5; } .evidence.pass { border-color: var(--pass); }
.evidence dl { display: grid; grid-template-columns: max-content 1fr; gap: 2px 10px; margin: 4px 0; }
.evidence dt { color: #59636e; } .evidence dd { margin: 0; word-break: break-word; }
.evidence .where { color: #59636e; font-size: 12.5px; }
.evidence.line { margin: 2px 0; padding: 1px 10px; font-size: 13px; }
table.observed td { border: none; padding: 0 8px 0 0; } table.observed td:first-child { color: #59636e; }
.timeline { width: 100%; } .timeline td.num, .timeline td.at, .timeline td.blocks { white-space: nowrap; font-size: 12.5px; }
.timeline tr.failed > td { background: #fff5f5; } .timeline tr.skipped > td { color: var(--skip); }
.timeline tr.ev > td { border-top: none; padding-left: 32px; background: #fcfcfd; }
.error-text { color: var(--fail); white-space: pre-wrap; }
details { margin: 6px 0; } details > summary { cursor: pointer; }
details.scenario { border: 1px solid var(--line); border-radius: 6px; padding: 6px 10px; }
details.scenario > summary { font-weight: 600; }
.muted { color: #59636e; } .filters { margin: 8px 0; } .filters label { margin-right: 10px; }
/* The SVG timeline of a scenario (timeline.ts): bars by step category, evidence markers by verdict. */
:root { --chain: #0969da; --fault: #bc4c00; --peer: #8250df; --observation: #1b7c83; --other: #6e7781; }
.tl-wrap { overflow-x: auto; margin: 8px 0 10px; }
svg.timeline { display: block; width: 100%; min-width: 960px; height: auto; font: 11px system-ui, -apple-system, "Segoe UI", sans-serif; }
svg.timeline text { fill: #1f2328; }
svg.timeline .tl-row { fill: #fff; } svg.timeline .tl-row.odd { fill: var(--soft); }
svg.timeline .tl-grid line { stroke: #e6e9ed; }
svg.timeline .tl-axis-line, svg.timeline .tl-tick { stroke: #8c959f; }
svg.timeline .tl-tick-label, svg.timeline .tl-head, svg.timeline .tl-blocks, svg.timeline .tl-axis-title, svg.timeline .tl-legend-text { fill: #59636e; font-size: 10.5px; }
svg.timeline .tl-head { font-weight: 600; }
svg.timeline .tl-blocks { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 10px; }
svg.timeline .tl-kind { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 10.5px; font-weight: 600; }
svg.timeline .tl-empty { fill: #59636e; font-style: italic; }
.tl-step, .tl-swatch { stroke-width: 1.2; }
.tl-step.chain, .tl-swatch.chain { fill: #ddf4ff; stroke: var(--chain); }
.tl-step.fault, .tl-swatch.fault { fill: #fff1e5; stroke: var(--fault); }
.tl-step.peer, .tl-swatch.peer { fill: #fbefff; stroke: var(--peer); }
.tl-step.observation, .tl-swatch.observation { fill: #d8f3f1; stroke: var(--observation); }
.tl-step.other, .tl-swatch.other { fill: #eaeef2; stroke: var(--other); }
.tl-step.failed { stroke: var(--fail); stroke-width: 2.4; }
.tl-step.skipped { stroke-dasharray: 3 2; fill-opacity: 0.4; }
.tl-step:hover { stroke-width: 2.6; }
.tl-evidence.pass .tl-mark, .tl-key.pass .tl-mark { fill: var(--pass); stroke: #fff; stroke-width: 1.5; }
.tl-evidence.fail .tl-mark, .tl-key.fail .tl-mark { fill: none; stroke: var(--fail); stroke-width: 2.6; stroke-linecap: round; }
.tl-evidence.fail .tl-halo, .tl-key.fail .tl-halo { fill: none; stroke: #fff; stroke-width: 5; stroke-linecap: round; }
.tl-evidence.skip .tl-mark, .tl-key.skip .tl-mark { fill: #fff; stroke: var(--skip); stroke-width: 1.5; }
.tl-deadline line, .tl-key.deadline line { stroke: #1f2328; stroke-width: 1.5; stroke-dasharray: 2 1.5; }
.tl-deadline path, .tl-key.deadline path { fill: #1f2328; }
footer { margin-top: 40px; color: #59636e; font-size: 12px; }
`;

/** Filters the matrix rows by verdict and by text; shows the filter bar only when it can work. */
export const SCRIPT = `
(function () {
  var bar = document.getElementById('filters');
  var rows = Array.prototype.slice.call(document.querySelectorAll('#matrix tbody tr'));
  if (!bar || !rows.length) return;
  bar.hidden = false;
  var boxes = Array.prototype.slice.call(bar.querySelectorAll('input[type=checkbox]'));
  var text = bar.querySelector('input[type=search]');
  function apply() {
    var shown = {};
    boxes.forEach(function (b) { shown[b.value] = b.checked; });
    var q = (text.value || '').toLowerCase();
    rows.forEach(function (row) {
      var ok = shown[row.getAttribute('data-verdict')] && row.textContent.toLowerCase().indexOf(q) >= 0;
      row.hidden = !ok;
    });
  }
  boxes.forEach(function (b) { b.addEventListener('change', apply); });
  text.addEventListener('input', apply);
})();
`;
