/** What a program run leaves behind: its stdout (+stderr, merged by the wrappers) and exit status. */
export interface ProgramOutput {
  stdout: string;
  exitCode: number;
}

/** The programs one runner invocation runs (selftest.name and selftest.with), by name. */
export interface RunnerPrograms {
  gup_longterm?: ProgramOutput;
  cow?: ProgramOutput;
}

/** `sed -e 's/^/# /'` / kselftest/prefix.pl: every line, including a last one without newline. */
export function prefixLines(text: string, prefix: string): string {
  if (text === '') return '';
  const endsWithNewline = text.endsWith('\n');
  const body = endsWithNewline ? text.slice(0, -1) : text;
  return body
    .split('\n')
    .map((l) => prefix + l)
    .join('\n')
    .concat(endsWithNewline ? '\n' : '');
}
