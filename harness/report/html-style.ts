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
