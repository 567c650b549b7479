/**
 * A single self-contained HTML file (inline CSS and JS, no fetches, opens from file://):
 * a matrix of sub-tests × runs, each cell coloured by verdict with the triage class as an
 * outline, a filter box over sub-test ids, and the cell's explanation shown on click. The
 * table is rendered server-side (readable without JS); the script only filters and shows
 * details from the embedded JSON.
 */
import { DEFAULT_SELFTEST, SELFTEST_NAMES } from '../../cases/selftests/names.js';
import { escapeHtml, jsonForScript, visibleControls } from './escape.js';
import { resultKey, runLabel, type ReportModel } from './model.js';
import type { Reporter } from './reporter.js';
import type { StoredResult } from '../store/types.js';

const VERDICT_TEXT: Record<string, string> = {
  pass: 'P',
  fail: 'F',
  skip: 'S',
  xfail: 'xF',
  xpass: 'xP',
  error: 'E',
  missing: 'M',
  absent: '·',
};

const CSS = `
body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#1d1d1f;background:#fafafa}
h1{font-size:1.3em;margin:0 0 .3em}
.meta{color:#555;margin-bottom:1em}
#filter{padding:.35em .6em;width:22em;font:inherit;border:1px solid #999;border-radius:4px}
label{margin-left:1em}
.wrap{display:flex;gap:1.5em;align-items:flex-start;margin-top:1em}
table{border-collapse:collapse;background:#fff}
th,td{border:1px solid #ddd;padding:2px 6px;text-align:center;white-space:nowrap;unicode-bidi:isolate}
#details h2,#details dd,bdi{unicode-bidi:isolate}
th.id,td.id{text-align:left;font-family:ui-monospace,monospace;font-size:12px}
thead th{position:sticky;top:0;background:#f0f0f0;font-weight:600;font-size:12px}
td.cell{cursor:pointer;min-width:2.2em;font-weight:600;font-family:ui-monospace,monospace}
td.cell:hover{filter:brightness(.9)}
td.selected{outline:3px solid #0a58ca;outline-offset:-3px}
.v-pass{background:#c8ecc9}.v-fail{background:#f6b3b0}.v-error{background:#f1a06b}
.v-skip{background:#e4e4e4;color:#555}.v-missing{background:#f9d977}.v-absent{background:#fff;color:#aaa}
.v-xfail{background:#d9e8f9}.v-xpass{background:#f3d1f2}
.t-kernel-regression,.t-conflict,.t-crash,.t-unexplained,.t-missing,.t-infrastructure{box-shadow:inset 0 0 0 2px #b00020}
.t-test-bug,.t-environment{box-shadow:inset 0 0 0 2px #8a6d00}
.t-known{box-shadow:inset 0 0 0 2px #1565c0}
#details{position:sticky;top:1em;flex:0 1 26em;min-width:16em;background:#fff;border:1px solid #ccc;border-radius:6px;padding:1em}
#details h2{font-size:1.05em;margin:0 0 .5em;font-family:ui-monospace,monospace;word-break:break-all}
#details dl{display:grid;grid-template-columns:auto 1fr;gap:.2em .8em;margin:0}
#details dt{color:#555}#details dd{margin:0;word-break:break-word}
.legend span{display:inline-block;padding:0 .5em;margin-right:.3em;border:1px solid #ccc}
`;

const SCRIPT = `
(function(){
  var data = JSON.parse(document.getElementById('report-data').textContent);
  var filter = document.getElementById('filter');
  var onlyBad = document.getElementById('only-bad');
  var rows = Array.prototype.slice.call(document.querySelectorAll('tbody tr'));
  function apply(){
    var q = filter.value.trim().toLowerCase();
    var shown = 0;
    rows.forEach(function(tr){
      var ok = tr.getAttribute('data-id').toLowerCase().indexOf(q) !== -1;
      if (ok && onlyBad.checked) ok = tr.getAttribute('data-bad') === '1';
      tr.hidden = !ok;
      if (ok) shown++;
    });
    document.getElementById('shown').textContent = shown + ' of ' + rows.length + ' sub-tests';
  }
  filter.addEventListener('input', apply);
  onlyBad.addEventListener('change', apply);
  function set(id, text){ document.getElementById(id).textContent = text; }
  document.querySelector('tbody').addEventListener('click', function(ev){
    var td = ev.target.closest('td.cell');
    if (!td) return;
    var prev = document.querySelector('td.selected');
    if (prev) prev.classList.remove('selected');
    td.classList.add('selected');
    var run = data.runs[Number(td.getAttribute('data-run'))];
    var key = td.parentNode.getAttribute('data-id');
    var r = run.results[key];
    set('d-id', key);
    set('d-label', run.label);
    set('d-date', run.date);
    set('d-verdict', r ? (r.verdict || 'absent') : 'absent');
    set('d-predicted', r && r.predicted ? r.predicted : '—');
    set('d-class', r ? r.class : '—');
    set('d-reason', r && r.reason ? r.reason : '—');
    set('d-explanation', r ? r.explanation : 'Not in this run.');
    set('d-commits', r && r.commits.length ? r.commits.join(', ') : '—');
    set('d-known', r && r.known ? r.known : '—');
    document.getElementById('details').hidden = false;
  });
  apply();
})();
`;

interface CellData {
  verdict: string | null;
  predicted: string | null;
  class: string;
  reason: string | null;
  explanation: string;
  commits: string[];
  /** The lab's known issue that covers it: `id: reason (link); gupsim: class`. */
  known?: string;
}

/**
 * The details pane shows these with textContent: controls made visible here, as escapeHtml()
 * does for the table, or a U+202E in a log's failure text reverses the pane's lines.
 */
function cellData(r: StoredResult): CellData {
  const v = visibleControls;
  return {
    verdict: r.verdict,
    predicted: r.predicted,
    class: r.class,
    reason: r.reason === null ? null : v(r.reason),
    explanation: v(r.explanation),
    commits: r.commits.map(v),
    ...(r.known ? { known: v(`${r.known.id}: ${r.known.reason} (${r.known.link}); gupsim: ${r.known.was}`) } : {}),
  };
}

// Absent is not "bad" by itself: runs with different hugetlb sizes or no liburing have different plans.
const NEEDS_LOOK = new Set(['fail', 'error', 'missing']);

/** The known-issues tally (report --known): one line per entry of the file. */
function knownSection(model: ReportModel): string {
  if (!model.known) return '';
  const items = model.known.lines.map((l) => `<li>${escapeHtml(l)}</li>`).join('');
  return `\n<div class="meta">Known issues (<bdi>${escapeHtml(model.known.file)}</bdi>):<ul>${items}</ul></div>`;
}

export function renderHtml(model: ReportModel): string {
  const keys = new Set<string>();
  const perRun = model.runs.map(({ run, results }) => {
    const m = new Map<string, StoredResult>();
    for (const r of results) {
      const k = resultKey(r);
      keys.add(k);
      if (!m.has(k)) m.set(k, r);
    }
    return { run, m };
  });
  const ids = [...keys].sort();
  // The selftests the report holds (gup_longterm when it holds none), in registry order.
  const present = new Set(model.runs.map(({ run }) => run.test));
  const tests = SELFTEST_NAMES.filter((n) => present.has(n)).join(' and ') || DEFAULT_SELFTEST;
  const data = {
    runs: perRun.map(({ run, m }) => ({
      label: visibleControls(runLabel(run)),
      date: visibleControls(run.date),
      // Keyed as the rows' data-id attributes show the ids (escapeHtml makes them visible).
      results: Object.fromEntries([...m].map(([k, r]) => [visibleControls(k), cellData(r)])),
    })),
  };
  const head = perRun
    .map(({ run }) => `<th title="${escapeHtml(`${run.summary} — triage ${run.triage}`)}">${escapeHtml(runLabel(run))}<br>${escapeHtml(run.date.slice(0, 10))}</th>`)
    .join('');
  const body = ids
    .map((id) => {
      let bad = false;
      const cells = perRun
        .map(({ m }, i) => {
          const r = m.get(id);
          const v = r?.verdict ?? 'absent';
          if (NEEDS_LOOK.has(v)) bad = true;
          const cls = `cell v-${v}${r ? ` t-${r.class}` : ''}`;
          const title = r ? `${v} · ${r.class}` : 'absent';
          return `<td class="${cls}" data-run="${i}" title="${escapeHtml(title)}">${VERDICT_TEXT[v] ?? '?'}</td>`;
        })
        .join('');
      return `<tr data-id="${escapeHtml(id)}" data-bad="${bad ? 1 : 0}"><td class="id">${escapeHtml(id)}</td>${cells}</tr>`;
    })
    .join('\n');
  const legend = Object.entries(VERDICT_TEXT)
    .map(([v, g]) => `<span class="v-${v}">${escapeHtml(g)} ${v}</span>`)
    .join('');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'">
<title>${escapeHtml(tests)} results — ${escapeHtml(model.origin)}</title>
<style>${CSS}</style>
</head>
<body>
<h1>${escapeHtml(tests)}: ${ids.length} sub-tests × ${model.runs.length} runs</h1>
<div class="meta">Generated ${escapeHtml(model.generatedAt)} by ${escapeHtml(model.origin)}. Cell colour: verdict; red outline: triage needs a human; blue: a known issue of the lab. Click a cell for its explanation.</div>${knownSection(model)}
<div class="legend">${legend}</div>
<p><input id="filter" type="search" placeholder="Filter sub-tests (e.g. iouring/private)" aria-label="Filter sub-tests">
<label><input id="only-bad" type="checkbox"> only rows with fail / error / missing</label> <span id="shown" style="margin-left:1em;color:#555"></span></p>
<div class="wrap">
<table id="matrix">
<thead><tr><th class="id">sub-test</th>${head}</tr></thead>
<tbody>
${body}
</tbody>
</table>
<aside id="details" hidden>
<h2 id="d-id"></h2>
<dl>
<dt>run</dt><dd id="d-run"><bdi id="d-label"></bdi> (<span id="d-date"></span>)</dd>
<dt>verdict</dt><dd id="d-verdict"></dd>
<dt>model</dt><dd id="d-predicted"></dd>
<dt>triage</dt><dd id="d-class"></dd>
<dt>reason</dt><dd id="d-reason"></dd>
<dt>explanation</dt><dd id="d-explanation"></dd>
<dt>commits</dt><dd id="d-commits"></dd>
<dt>known issue</dt><dd id="d-known"></dd>
</dl>
</aside>
</div>
<script type="application/json" id="report-data">${jsonForScript(data)}</script>
<script>${SCRIPT}</script>
</body>
</html>
`;
}

export const htmlReporter: Reporter = { name: 'html', extension: 'html', render: renderHtml };
