/**
 * tools/testing/selftests/kselftest.h as gup_longterm uses it: the TAP header and plan, result
 * lines with a running number, `# ` diagnostics, the counter block and the exit helpers. The
 * era switches are the header's own history (what the selftest tree was built with).
 */
import { emptyArray } from '../../kernel-model/empty-array.js';
import type { Process, ProcessExit } from '../libc/process.js';
import { strerror } from '../libc/strerror.js';

export const KSFT_PASS = 0;
export const KSFT_FAIL = 1;
export const KSFT_XFAIL = 2;
export const KSFT_XPASS = 3;
export const KSFT_SKIP = 4;

export type KsftResult =
  typeof KSFT_PASS | typeof KSFT_FAIL | typeof KSFT_XFAIL | typeof KSFT_XPASS | typeof KSFT_SKIP;

export interface KselftestEra {
  /** ksft_print_header() calls setvbuf(stdout, NULL, _IOLBF, 0) (v6.6+). */
  lineBuffered: boolean;
  /** ksft_print_cnts() warns "N skipped test(s) detected" (74864403c578, v6.14+). */
  skippedWarning: boolean;
}

export type Verdict = 'pass' | 'fail' | 'skip' | 'xfail' | 'xpass' | 'error';

/** ksft_cnt. add() switches on the verdict: `cnt[verdict]++` is a keyed access by six names. */
class Counts {
  pass = 0;
  fail = 0;
  xfail = 0;
  xpass = 0;
  skip = 0;
  error = 0;

  add(verdict: Verdict): void {
    switch (verdict) {
      case 'pass':
        this.pass++;
        break;
      case 'fail':
        this.fail++;
        break;
      case 'xfail':
        this.xfail++;
        break;
      case 'xpass':
        this.xpass++;
        break;
      case 'skip':
        this.skip++;
        break;
      case 'error':
        this.error++;
        break;
    }
  }
}

export class Kselftest {
  private readonly cnt = new Counts();
  private plan = 0;
  private planSet = false;
  /**
   * The first result line since watchResults() (for the harness's records, not part of
   * kselftest.h): its number, verdict and the text after `ok N ` / `not ok N ` /
   * `ok N # SKIP ` without the newline. Fields, not an object per result: a sub-test's record
   * wants its first result only, and nothing else reads them.
   */
  resultSeen = false;
  resultNumber = 0;
  resultVerdict: Verdict = 'pass';
  resultText = '';
  /** Every ksft_print_msg() text, in order (for the harness's records, like `emitted`). */
  readonly messages: string[] = emptyArray(); // not []: see kernel-model emptyArray()

  constructor(
    private readonly proc: Process,
    private readonly era: KselftestEra,
    /** KSFT_TAP_LEVEL in the environment suppresses the version line. */
    private readonly tapLevelSet = false,
  ) {}

  /**
   * kselftest.h as another .c file of the same program includes it: its counters and plan
   * are `static`, so every translation unit has its own copy. The mm helpers
   * (vm_util.c, hugepage_settings.c) print through the same stdout, but when one of them
   * bails out (ksft_exit_fail_msg()), the `# Totals:` it prints are its own: zero, whatever
   * the test counted, and no "Planned tests != run tests" (its plan and count are both 0).
   */
  translationUnit(): Kselftest {
    return new Kselftest(this.proc, this.era, this.tapLevelSet);
  }

  testNum(): number {
    const c = this.cnt;
    return c.pass + c.fail + c.xfail + c.xpass + c.skip + c.error;
  }

  getFailCnt(): number {
    return this.cnt.fail;
  }

  printHeader(): void {
    if (this.era.lineBuffered) this.proc.stdout.setLineBuffered();
    if (!this.tapLevelSet) this.proc.printf('TAP version 13\n');
  }

  plannedTests(): number | null {
    return this.planSet ? this.plan : null;
  }

  setPlan(n: number): void {
    this.plan = n;
    this.planSet = true;
    this.proc.printf(`1..${n}\n`);
  }

  /** ksft_print_msg(): "# " + message; errno is saved and restored around the printf. */
  printMsg(msg: string): void {
    this.messages.push(msg);
    this.proc.stdout.writePrefixed('# ', msg);
  }

  /** `<head><number><tail><msg>`: the format string `<head>%u<tail>%s` of each result kind. */
  private result(verdict: Verdict, head: string, tail: string, msg: string): void {
    if (msg.endsWith('\n')) this.emit(verdict, head, tail, msg.slice(0, -1), '\n');
    else this.emit(verdict, head, tail, msg, '');
  }

  /**
   * A result whose message is `text` and a newline. Given apart, so the record's description
   * is `text` itself: stripping the newline off a concatenated message makes V8 copy it flat.
   */
  private resultLine(verdict: Verdict, head: string, tail: string, text: string): void {
    this.emit(verdict, head, tail, text, '\n');
  }

  /** Forget the result seen so far: the next one emitted is kept (resultSeen and the rest). */
  watchResults(): void {
    this.resultSeen = false;
  }

  private emit(verdict: Verdict, head: string, tail: string, text: string, end: string): void {
    this.cnt.add(verdict);
    const n = this.testNum();
    this.proc.stdout.writeResult(head, n, tail, text, end);
    if (!this.resultSeen) {
      this.resultSeen = true;
      this.resultNumber = n;
      this.resultVerdict = verdict;
      this.resultText = text;
    }
  }

  pass(msg: string): void {
    this.result('pass', 'ok ', ' ', msg);
  }

  fail(msg: string): void {
    this.result('fail', 'not ok ', ' ', msg);
  }

  skip(msg: string): void {
    this.result('skip', 'ok ', ' # SKIP ', msg);
  }

  /** ksft_test_result(cond, ...): pass if cond else fail. */
  testResult(cond: boolean, msg: string): void {
    if (cond) this.pass(msg);
    else this.fail(msg);
  }

  xfail(msg: string): void {
    this.result('xfail', 'ok ', ' # XFAIL ', msg);
  }

  /** ksft_perror(msg): "# <msg>: <strerror(errno)> (<errno>)" (kselftest.h from v6.9). */
  perror(msg: string): void {
    const e = this.proc.errno;
    this.printMsg(`${msg}: ${strerror(e)} (${e})\n`);
  }

  /**
   * ksft_test_result(cond, "<text>\n") with the newline given apart (see resultLine()): the
   * oldest selftest's verdict lines, whose texts its variants vary.
   */
  testResultLine(cond: boolean, text: string): void {
    if (cond) this.resultLine('pass', 'ok ', ' ', text);
    else this.resultLine('fail', 'not ok ', ' ', text);
  }

  /**
   * ksft_test_result_report(result, "%s\n", text) (log_test_result()'s call): prints nothing
   * for a value it does not know.
   */
  reportLine(result: number, text: string): void {
    switch (result) {
      case KSFT_PASS:
        return this.resultLine('pass', 'ok ', ' ', text);
      case KSFT_FAIL:
        return this.resultLine('fail', 'not ok ', ' ', text);
      case KSFT_XFAIL:
        return this.resultLine('xfail', 'ok ', ' # XFAIL ', text);
      case KSFT_XPASS:
        return this.resultLine('xpass', 'ok ', ' # XPASS ', text);
      case KSFT_SKIP:
        return this.resultLine('skip', 'ok ', ' # SKIP ', text);
    }
  }

  printCnts(): void {
    const c = this.cnt;
    if (this.era.skippedWarning && c.skip > 0) {
      this.proc.printf(
        `# ${c.skip} skipped test(s) detected. Consider enabling relevant config options to improve coverage.\n`,
      );
    }
    if (this.plan !== this.testNum()) {
      this.proc.printf(`# Planned tests != run tests (${this.plan} != ${this.testNum()})\n`);
    }
    this.proc.printf(
      `# Totals: pass:${c.pass} fail:${c.fail} xfail:${c.xfail} xpass:${c.xpass} skip:${c.skip} error:${c.error}\n`,
    );
  }

  exitPass(): never {
    throw this.exitPassReturning();
  }

  exitFailMsg(msg: string): never {
    throw this.exitFailMsgReturning(msg);
  }

  /*
   * The exit helpers as main()'s last statement (`return ksft_finished();`): the same output
   * and exit, the ProcessExit returned for main() to return (Process.exitReturning).
   */
  exitPassReturning(): ProcessExit {
    this.printCnts();
    return this.proc.exitReturning(0);
  }

  exitFailMsgReturning(msg: string): ProcessExit {
    this.proc.printf(`Bail out! ${msg}`);
    this.printCnts();
    return this.proc.exitReturning(1);
  }

  /** ksft_finished(): success iff every planned test passed, xfailed, xpassed or skipped. */
  finishedReturning(): ProcessExit {
    const c = this.cnt;
    const ok = this.plan === c.pass + c.xfail + c.xpass + c.skip;
    this.printCnts();
    return this.proc.exitReturning(ok ? 0 : 1);
  }
}
