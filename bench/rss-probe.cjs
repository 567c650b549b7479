// Preloaded into a process the bench spawns (`node --require ./bench/rss-probe.cjs …`): reports
// its peak resident set size on stderr as it exits.
'use strict';
process.on('exit', () => {
  process.stderr.write(`\ngupsim-bench-max-rss-kib ${process.resourceUsage().maxRSS}\n`);
});
