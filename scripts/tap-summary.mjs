#!/usr/bin/env node
// Reads the output of `npm test` (typecheck, lint, then tap's TAP stream) and prints the
// closing line CI recognises: "N passed, N failed". Counts leaf test points at every depth
// of tap's nested subtests (a parent's own point only summarises its children). Output
// without any TAP (typecheck or lint failed first) counts as one failure.
import { readFileSync } from 'node:fs';
import { Parser } from 'tap-parser';

const text = readFileSync(process.argv[2] ?? 0, 'utf8');
const start = text.indexOf('TAP version');
if (start < 0) {
  console.log('0 passed, 1 failed');
  process.exit(0);
}

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
  console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
});
parser.end(text.slice(start));
