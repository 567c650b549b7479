/**
 * Instructions per sub-test of the trace-less sweeps, counted by valgrind (callgrind): a
 * figure that other load on the machine does not move. On the shared 2-core VM the CPU-time
 * rate of bench/sweep.ts swings by a third between minutes, so two builds a few percent apart
 * cannot be told apart by it; their instruction counts can. Node runs with V8's --predictable
 * (one thread, no time-based heuristics): without it, when the compiler and the garbage
 * collector ran moved a whole process's count by 1–2%, a third of a gup round; with it two
 * runs of one build agree to a few thousand instructions in billions. Single-threaded, the
 * counts are not the bench's (its GC and compiler have helper threads): compare builds.
 *
 *   npx tsx bench/sweep-instructions.ts [gup|cow] [--base DIR]
 *
 * Bundles bench/profile-sweep.ts (keepNames, as tsx runs it) and runs it under callgrind
 * twice, with 1 and with 2 rounds after its warm-up round: the difference is one round of the
 * grid and nothing else (start-up, module loading, the warm-up's compilation cancel out).
 * With --base, the same for the checkout in DIR (e.g. `git archive` of the old commit with
 * node_modules linked), printed beside it. Slow: gup takes a few minutes of CPU, cow (a round is ~1.5 s natively) far more.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';

interface Count {
  instructions: number;
  subtests: number;
}

function valgrindAvailable(): boolean {
  return spawnSync('valgrind', ['--version'], { encoding: 'utf8' }).status === 0;
}

async function bundle(root: string, out: string): Promise<void> {
  await build({
    entryPoints: [join(root, 'bench/profile-sweep.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    keepNames: true,
    packages: 'external',
    outfile: out,
    absWorkingDir: root,
    logLevel: 'warning',
  });
}

/** One process under callgrind: its instruction total and the sub-tests its timed rounds ran. */
function counted(file: string, which: string, rounds: number): Count {
  const r = spawnSync(
    'valgrind',
    [
      '--tool=callgrind',
      '--callgrind-out-file=/dev/null',
      '--smc-check=all-non-file',
      process.execPath,
      '--predictable',
      file,
      which,
      String(rounds),
    ],
    { encoding: 'utf8', maxBuffer: 1 << 26 },
  );
  const ir = /Collected : (\d+)/.exec(r.stderr);
  const subtests = /: (\d+) sub-tests/.exec(r.stdout);
  if (r.status !== 0 || !ir || !subtests)
    throw new Error(`valgrind run failed (${r.status}): ${r.stderr.slice(-300)}`);
  return { instructions: Number(ir[1]), subtests: Number(subtests[1]) };
}

/** Instructions per sub-test of one round of the grid. */
function perSubtest(file: string, which: string): number {
  const one = counted(file, which, 1);
  const two = counted(file, which, 2);
  return (two.instructions - one.instructions) / (two.subtests - one.subtests);
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const which = args.find((a) => a === 'gup' || a === 'cow') ?? 'gup';
  const at = args.indexOf('--base');
  const base = at >= 0 ? args[at + 1] : undefined;
  if (at >= 0 && !base) {
    console.error('usage: npx tsx bench/sweep-instructions.ts [gup|cow] [--base DIR]');
    process.exit(2);
  }
  if (!valgrindAvailable()) {
    console.log('sweep instructions: skipped (no valgrind on this machine)');
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'gupsim-instr-'));
  const builds: [string, string][] = [['this tree', resolve('.')]];
  if (base) builds.unshift(['base', resolve(base)]);
  const results: [string, number][] = [];
  for (const [label, root] of builds) {
    const file = join(dir, `${results.length}.mjs`);
    await bundle(root, file);
    const n = perSubtest(file, which);
    results.push([label, n]);
    console.log(`${which} sweep, ${label}: ${Math.round(n)} instructions per sub-test`);
  }
  if (results.length === 2)
    console.log(`ratio (this tree / base): ${(results[1]![1] / results[0]![1]).toFixed(3)}`);
  execFileSync('rm', ['-rf', dir]);
}

await main();
