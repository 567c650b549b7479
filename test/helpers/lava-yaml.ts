/**
 * A LAVA job log (log.yaml) made from a plain console log, written as lava_common/log.py's
 * dump() writes one: PyYAML flow style, every scalar double-quoted (default_style='"', so a
 * number is `!!float "1.2"`), keys sorted, ASCII only (allow_unicode off: PyYAML's escapes
 * `\e`, `\xXX`, `\uXXXX`, `\UXXXXXXXX` with upper-case hex), one record per line. Dispatcher
 * records (info, debug, results with a dict msg, feedback with an ns) stand around and between
 * the `target` records that carry the console lines.
 */

const NAMED: Record<string, string> = {
  '\0': '0',
  '\x07': 'a',
  '\b': 'b',
  '\t': 't',
  '\n': 'n',
  '\v': 'v',
  '\f': 'f',
  '\r': 'r',
  '\x1b': 'e',
  '"': '"',
  '\\': '\\',
  '\x85': 'N',
  '\xa0': '_',
  '\u2028': 'L',
  '\u2029': 'P',
};

/** A PyYAML double-quoted scalar (allow_unicode off). */
export function yamlQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    const named = NAMED[ch];
    if (named !== undefined) out += `\\${named}`;
    else if (c >= 0x20 && c <= 0x7e && ch !== '\ufeff') out += ch;
    else if (c <= 0xff) out += `\\x${c.toString(16).toUpperCase().padStart(2, '0')}`;
    else if (c <= 0xffff) out += `\\u${c.toString(16).toUpperCase().padStart(4, '0')}`;
    else out += `\\U${c.toString(16).toUpperCase().padStart(8, '0')}`;
  }
  return `${out}"`;
}

export interface LavaLog {
  yaml: string;
  /** recordOf[n] = the 1-based record number that holds plain line n (1-based). */
  recordOf: number[];
}

/**
 * The log.yaml of `text`. `noise`: dispatcher records before the console, between console
 * lines (every `every` lines) and after it; without it, records and lines are one to one.
 */
export function toLavaYaml(text: string, noise = true, every = 7): LavaLog {
  const out: string[] = [];
  const recordOf = [0];
  let second = 0;
  const rec = (lvl: string, msg: string, extra = ''): void => {
    const t = second++;
    const dt = `2025-06-16T10:${String(Math.floor(t / 60) % 60).padStart(2, '0')}:${String(t % 60).padStart(2, '0')}.${String(t % 1000000).padStart(6, '0')}`;
    out.push(`- {"dt": "${dt}", "lvl": ${yamlQuote(lvl)}, "msg": ${msg}${extra}}`);
  };
  if (noise) {
    rec('info', yamlQuote('lava-dispatcher, installed at version: 2025.06'));
    rec('info', yamlQuote('start: 0 validate'));
    rec(
      'debug',
      yamlQuote(
        'Validating that https://storage.kernelci.org/images/rootfs/debian/bookworm-kselftest/arm64/initrd.cpio.gz exists',
      ),
    );
    rec('results', `{"case": "validate", "definition": "lava", "result": "pass"}`);
  }
  const lines = text.endsWith('\n') ? text.slice(0, -1).split('\n') : text.split('\n');
  lines.forEach((line, i) => {
    rec('target', yamlQuote(line));
    recordOf.push(out.length);
    if (noise && i % every === every - 1) {
      if (i % 3 === 0)
        rec(
          'feedback',
          yamlQuote('[  123.456789] random: crng init done'),
          `, "ns": ${yamlQuote('host')}`,
        );
      else rec('debug', yamlQuote(`Listened to connection for namespace 'target' for up to ${i}s`));
    }
  });
  if (noise) {
    rec(
      'results',
      `{"case": "mm_run_vmtests_sh", "definition": "1_kselftest-mm", "duration": !!float "${(lines.length / 10).toFixed(2)}", "extra": ["a", !!int "3", {"k": "v"}], "result": "fail"}`,
    );
    rec('info', yamlQuote('Job finished correctly'));
  }
  return { yaml: `${out.join('\n')}\n`, recordOf };
}
