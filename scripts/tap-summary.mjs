#!/usr/bin/env node
// Reads the output of `npm test` (typecheck, lint, then tap's TAP stream) and prints the
// closing line CI recognises: "N passed, N failed". Counts leaf test points at every depth
// of tap's nested subtests (a parent's own point only summarises its children). Output
// without any TAP (typecheck or lint failed first) counts as one failure. Several logs (one
// per Node version, .ci/run) are summed into the one line; with none, stdin is read.
import { readFileSync } from 'node:fs';
import { Parser } from 'tap-parser';

/** Counts of one `npm test` output. */
function count(text) {
  const start = text.indexOf('TAP version');
  if (start < 0) return Promise.resolve({ passed: 0, failed: 1, skipped: 0 });
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
    for (const { a, parent } of points) {
      if (parent) continue;
      if (a.skip || a.todo) skipped++;
      else if (a.ok) passed++;
      else failed++;
    }
    resolve({ passed, failed, skipped });
  });
  parser.end(tap);
}

const files = process.argv.slice(2);
const sum = { passed: 0, failed: 0, skipped: 0 };
for (const text of files.length
  ? files.map((f) => readFileSync(f, 'utf8'))
  : [readFileSync(0, 'utf8')]) {
  const c = await count(text);
  for (const k of Object.keys(sum)) sum[k] += c[k];
}
console.log(`${sum.passed} passed, ${sum.failed} failed, ${sum.skipped} skipped`);
