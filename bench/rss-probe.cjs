// Preloaded into a process the bench spawns (`node --require ./bench/rss-probe.cjs …`): reports
// its peak resident set size and its CPU time (user + system, every thread, start-up included)
// on stderr as it exits.
'use strict';
process.on('exit', () => {
  const { user, system } = process.cpuUsage();
  process.stderr.write(
    `\ngupsim-bench-max-rss-kib ${process.resourceUsage().maxRSS}\ngupsim-bench-cpu-us ${user + system}\n`,
  );
});
