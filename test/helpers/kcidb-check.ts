/**
 * The KCIDB v5.3 rules gupsim can state without the Python validator (kcidb-io
 * kcidb_io/schema/v05_03.py), for test/formats.test.ts: required fields, known fields only,
 * no nulls, `<origin>:` id prefixes matching `origin`, references between objects, the status
 * enum, dot-separated paths without empty components, and the log_excerpt length cap.
 */

const ORIGIN = /^[a-z0-9_]+$/;
const STATUSES = ['FAIL', 'ERROR', 'MISS', 'PASS', 'DONE', 'SKIP'];
const PATH = /^([A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*)?$/;
const FIELDS: Record<string, { all: string[]; required: string[] }> = {
  checkouts: {
    all: ['id', 'origin', 'tree_name', 'git_repository_url', 'git_commit_hash', 'git_commit_name', 'git_repository_branch', 'patchset_files', 'patchset_hash', 'message_id', 'comment', 'start_time', 'log_url', 'log_excerpt', 'valid', 'misc'],
    required: ['id', 'origin'],
  },
  builds: {
    all: ['id', 'checkout_id', 'origin', 'comment', 'start_time', 'duration', 'architecture', 'command', 'compiler', 'input_files', 'output_files', 'config_name', 'config_url', 'log_url', 'log_excerpt', 'valid', 'status', 'misc'],
    required: ['id', 'checkout_id', 'origin'],
  },
  tests: {
    all: ['id', 'build_id', 'origin', 'environment', 'path', 'comment', 'log_url', 'log_excerpt', 'status', 'number', 'start_time', 'duration', 'input_files', 'output_files', 'misc'],
    required: ['id', 'build_id', 'origin'],
  },
};

function nulls(v: unknown, where: string, out: string[]): void {
  if (v === null) out.push(`${where}: null (KCIDB forbids nulls; omit the field)`);
  else if (Array.isArray(v)) v.forEach((x, i) => nulls(x, `${where}[${i}]`, out));
  else if (typeof v === 'object') for (const [k, x] of Object.entries(v as object)) nulls(x, `${where}.${k}`, out);
}

export function checkKcidb(doc: unknown): string[] {
  const errors: string[] = [];
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return ['not an object'];
  const d = doc as Record<string, unknown>;
  nulls(d, '$', errors);
  for (const k of Object.keys(d)) if (!['version', 'checkouts', 'builds', 'tests', 'issues', 'incidents'].includes(k)) errors.push(`unknown top-level ${k}`);
  const v = d.version as { major?: unknown; minor?: unknown } | undefined;
  if (!v || v.major !== 5 || v.minor !== 3) errors.push('version must be {major: 5, minor: 3}');
  const ids: Record<string, Set<string>> = { checkouts: new Set(), builds: new Set(), tests: new Set() };
  for (const kind of ['checkouts', 'builds', 'tests'] as const) {
    const list = d[kind];
    if (list === undefined) continue;
    if (!Array.isArray(list)) {
      errors.push(`${kind}: not an array`);
      continue;
    }
    list.forEach((o: Record<string, unknown>, i) => {
      const w = `${kind}[${i}]`;
      const spec = FIELDS[kind];
      if (!spec) return;
      for (const k of Object.keys(o)) if (!spec.all.includes(k)) errors.push(`${w}: unknown field ${k}`);
      for (const k of spec.required) if (!(k in o)) errors.push(`${w}: missing ${k}`);
      const origin = String(o.origin);
      if (!ORIGIN.test(origin)) errors.push(`${w}: origin "${origin}" not [a-z0-9_]+`);
      const id = String(o.id);
      if (!id.startsWith(`${origin}:`) || id.length === origin.length + 1) errors.push(`${w}: id "${id}" not "${origin}:<something>"`);
      if (ids[kind]?.has(id)) errors.push(`${w}: duplicate id ${id}`);
      ids[kind]?.add(id);
      if (typeof o.start_time === 'string' && Number.isNaN(Date.parse(o.start_time))) errors.push(`${w}: start_time not a date`);
      if (typeof o.log_excerpt === 'string' && o.log_excerpt.length > 16384) errors.push(`${w}: log_excerpt longer than 16384`);
      if (kind === 'builds' && !ids.checkouts?.has(String(o.checkout_id))) errors.push(`${w}: checkout_id ${String(o.checkout_id)} unknown`);
      if (kind === 'tests') {
        if (!ids.builds?.has(String(o.build_id))) errors.push(`${w}: build_id ${String(o.build_id)} unknown`);
        if (o.status !== undefined && !STATUSES.includes(String(o.status))) errors.push(`${w}: status ${String(o.status)} not in ${STATUSES.join('/')}`);
        if (o.path !== undefined && (typeof o.path !== 'string' || !PATH.test(o.path))) errors.push(`${w}: path "${String(o.path)}" has an empty or invalid component`);
      }
    });
  }
  return errors;
}
