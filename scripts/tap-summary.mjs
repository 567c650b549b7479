#!/usr/bin/env node
// Reads the output of `npm test` (typecheck, lint, then tap's TAP stream) and prints the
// closing line CI recognises: "N passed, N failed". Counts leaf test points at every depth
// of tap's nested subtests (a parent's own point only summarises its children). Output
// without any TAP (typecheck or lint failed first) counts as one failure. Several logs (one
// per Node version, .ci/run) are summed into the one line; with none, stdin is read.
// Each failing point is listed first (its full name and the first lines of its diagnostic),
// so that the tail of a CI log says what failed, not only how many.
import { readFileSync } from 'node:fs';
import { Parser } from 'tap-parser';

/** Counts of one `npm test` output. */
function count(text) {
  const start = text.indexOf('TAP version');
  if (start < 0)
    return Promise.resolve({
      passed: 0,
      failed: 1,
      skipped: 0,
      failures: [`no TAP at all: ${lastLine(text)}`],
    });
  return new Promise((resolve) => tally(text.slice(start), resolve));
}

function tally(tap, resolve) {
  const points = [];
  function walk(parser) {
    parser.on('assert', (a) => points.push({ a, parent: false }));
    parser.on('child', (child) => {
      walk(child);
      // The next point of this stream is the summary of that child.
      const mark = points.length;
      parser.once('assert', () => {
        // Children's points were pushed first; the summary is the last one pushed.
        const summary = points[points.length - 1];
        if (summary && points.length > mark) summary.parent = true;
      });
    });
  }
  const parser = new Parser();
  walk(parser);
  parser.on('complete', () => {
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    const failures = [];
    for (const { a, parent } of points) {
      if (parent) continue;
      if (a.skip || a.todo) skipped++;
      else if (a.ok) passed++;
      else {
        failed++;
        failures.push(describe(a));
      }
    }
    resolve({ passed, failed, skipped, failures });
  });
  parser.end(tap);
}

/** A failing point: its full name, then up to 8 lines of its YAML diagnostic. */
function describe(a) {
  const name = a.fullname || a.name || `#${a.id}`;
  const diag = a.diag ? JSON.stringify(a.diag, null, 1).split('\n').slice(1, -1).slice(0, 8) : [];
  return [name, ...diag.map((l) => `    ${l.trim()}`)].join('\n');
}

function lastLine(text) {
  const lines = text.trimEnd().split('\n');
  return lines[lines.length - 1] ?? '';
}

const files = process.argv.slice(2);
const sum = { passed: 0, failed: 0, skipped: 0 };
for (const text of files.length
  ? files.map((f) => readFileSync(f, 'utf8'))
  : [readFileSync(0, 'utf8')]) {
  const c = await count(text);
  for (const k of Object.keys(sum)) sum[k] += c[k];
  // .ci/run starts each log with the Node version it ran on.
  const node = /^ci: npm test on (Node \S+)/m.exec(text)?.[1];
  for (const f of c.failures) console.log(`FAILED${node ? ` (${node})` : ''} ${f}`);
}
console.log(`${sum.passed} passed, ${sum.failed} failed, ${sum.skipped} skipped`);
