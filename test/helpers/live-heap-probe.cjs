// Preloaded into a `gupsim record` child by test/store-stream.test.ts (`node --expose-gc
// --require …`): every 50 ms it collects garbage and notes the live heap (V8 heap in use plus
// external memory: Buffers, strings held outside the heap), and prints the peak as it exits.
// Live memory, not RSS: RSS also counts what the collector has not yet returned.
'use strict';
let peak = 0;
const timer = setInterval(() => {
  global.gc();
  const m = process.memoryUsage();
  peak = Math.max(peak, m.heapUsed + m.external);
}, 50);
timer.unref();
process.on('exit', () => {
  process.stderr.write(`\ngupsim-live-heap-peak-bytes ${peak}\n`);
});
