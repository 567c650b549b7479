/**
 * Glob patterns of a known-issues file, compiled once to anchored regular expressions.
 *
 * Over stable ids (`rw/gup-fast/shared/memfd-hugetlb-2048kB`, or any selftest's
 * `<test>/…` id: an id is an opaque string here) `*` stays within one `/`-separated part and
 * `**` crosses them, as in shell and gitignore globs; over printed test names and machine
 * labels, which are not paths, `*` matches any run of characters. `?` is one character;
 * `[abc]`, `[a-z]` and `[!a]` are character classes. Every other character is itself.
 */

export type GlobKind = 'path' | 'text';

export interface Glob {
  source: string;
  re: RegExp;
}

/** The regular expression of `pattern`, or an error sentence. */
export function compileGlob(pattern: string, kind: GlobKind): Glob | { error: string } {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*') {
      if (pattern[i + 1] === '*') {
        // `**/` also matches no part at all: `rw/**/memfd` matches `rw/memfd`.
        if (kind === 'path' && pattern[i + 2] === '/') {
          re += '(?:.*/)?';
          i += 2;
        } else {
          re += '.*';
          i++;
        }
      } else re += kind === 'path' ? '[^/]*' : '.*';
    } else if (c === '?') re += kind === 'path' ? '[^/]' : '.';
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 2);
      if (end < 0) return { error: `"${pattern}": a "[" without its "]"` };
      let body = pattern.slice(i + 1, end);
      const negate = body.startsWith('!');
      if (negate) body = body.slice(1);
      if (body === '') return { error: `"${pattern}": an empty character class` };
      re += `[${negate ? '^' : ''}${body.replace(/[\\\]^]/g, '\\$&')}]`;
      i = end;
    } else re += c.replace(/[.+^${}()|\\/]/g, '\\$&');
  }
  try {
    return { source: pattern, re: new RegExp(`^${re}$`, 'u') };
  } catch (e) {
    return { error: `"${pattern}": ${(e as Error).message}` };
  }
}

export function globMatches(globs: readonly Glob[], text: string): boolean {
  for (const g of globs) if (g.re.test(text)) return true;
  return false;
}
