/**
 * The KCIDB v5.3 rules gupsim can state without the Python validator (kcidb-io
 * kcidb_io/schema/v05_03.py), for the export tests: required fields, known fields only,
 * no nulls, `<origin>:` id prefixes matching `origin`, references between objects, the status
 * enum, dot-separated paths without empty components, and the log_excerpt length cap; for
 * issues and incidents also the integer versions (minimum 0), the culprit object (booleans
 * code/tool/harness only, not all false: "the issue is considered invalid"), report_url as a
 * URI, categories as paths, and incidents naming an issue version, a build and a test of the
 * same document (the schema's graph: issues → incidents, builds → incidents, tests → incidents).
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
  issues: {
    all: ['id', 'version', 'origin', 'categories', 'report_url', 'report_subject', 'culprit', 'comment', 'misc'],
    required: ['id', 'version', 'origin'],
  },
  incidents: {
    all: ['id', 'origin', 'issue_id', 'issue_version', 'build_id', 'test_id', 'present', 'comment', 'misc'],
    required: ['id', 'origin', 'issue_id', 'issue_version'],
  },
};
const KINDS = ['checkouts', 'builds', 'tests', 'issues', 'incidents'] as const;
const CULPRITS = ['code', 'tool', 'harness'];

function isUri(v: unknown): boolean {
  if (typeof v !== 'string') return false;
  try {
    return new URL(v).protocol.length > 1;
  } catch {
    return false;
  }
}

/** The rules only issues and incidents have; `ids` holds every object id seen so far. */
function checkTriage(kind: 'issues' | 'incidents', o: Record<string, unknown>, w: string, ids: Record<string, Set<string>>, versions: Map<string, Set<number>>, errors: string[]): void {
  const intVersion = (k: string): void => {
    if (k in o && !(Number.isInteger(o[k]) && (o[k] as number) >= 0)) errors.push(`${w}: ${k} not an integer >= 0`);
  };
  if (kind === 'issues') {
    intVersion('version');
    const vs = versions.get(String(o.id)) ?? new Set<number>();
    vs.add(Number(o.version));
    versions.set(String(o.id), vs);
    if (o.report_url !== undefined && !isUri(o.report_url)) errors.push(`${w}: report_url not a URI`);
    if (o.categories !== undefined && (!Array.isArray(o.categories) || o.categories.some((c) => typeof c !== 'string' || !PATH.test(c)))) errors.push(`${w}: categories not an array of paths`);
    const c = o.culprit as Record<string, unknown> | undefined;
    if (c !== undefined) {
      if (typeof c !== 'object' || Array.isArray(c)) errors.push(`${w}: culprit not an object`);
      else {
        for (const [k, v] of Object.entries(c)) {
          if (!CULPRITS.includes(k)) errors.push(`${w}: culprit.${k} unknown`);
          if (typeof v !== 'boolean') errors.push(`${w}: culprit.${k} not a boolean`);
        }
        if (CULPRITS.every((k) => c[k] === false)) errors.push(`${w}: culprit all false (an invalid issue)`);
      }
    }
  } else {
    intVersion('issue_version');
    if (o.present !== undefined && typeof o.present !== 'boolean') errors.push(`${w}: present not a boolean`);
    if (!versions.get(String(o.issue_id))?.has(Number(o.issue_version))) errors.push(`${w}: issue ${String(o.issue_id)} version ${String(o.issue_version)} unknown`);
    if (o.build_id !== undefined && !ids.builds?.has(String(o.build_id))) errors.push(`${w}: build_id ${String(o.build_id)} unknown`);
    if (o.test_id !== undefined && !ids.tests?.has(String(o.test_id))) errors.push(`${w}: test_id ${String(o.test_id)} unknown`);
  }
  for (const k of ['comment', 'report_subject']) if (typeof o[k] === 'string' && (o[k] as string).includes('\u0000')) errors.push(`${w}: ${k} holds a NUL`);
  if (o.misc !== undefined && (typeof o.misc !== 'object' || Array.isArray(o.misc))) errors.push(`${w}: misc not an object`);
}

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
  const ids: Record<string, Set<string>> = Object.fromEntries(KINDS.map((k) => [k, new Set<string>()]));
  const versions = new Map<string, Set<number>>();
  // Parents before children (checkouts, builds, tests, issues, incidents), as the references go.
  for (const kind of KINDS) {
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
      // Issues are unique by id and version; every other object by id.
      const unique = kind === 'issues' ? `${id}\u0000${String(o.version)}` : id;
      if (ids[kind]?.has(unique)) errors.push(`${w}: duplicate id ${id}`);
      ids[kind]?.add(unique);
      for (const ref of ['build_id', 'checkout_id', 'issue_id', 'test_id']) {
        if (typeof o[ref] === 'string' && !/^[a-z0-9_]+:/.test(o[ref] as string)) errors.push(`${w}: ${ref} not "<origin>:…"`);
      }
      if (typeof o.start_time === 'string' && Number.isNaN(Date.parse(o.start_time))) errors.push(`${w}: start_time not a date`);
      if (typeof o.log_excerpt === 'string' && o.log_excerpt.length > 16384) errors.push(`${w}: log_excerpt longer than 16384`);
      if (kind === 'builds' && !ids.checkouts?.has(String(o.checkout_id))) errors.push(`${w}: checkout_id ${String(o.checkout_id)} unknown`);
      if (kind === 'tests') {
        if (!ids.builds?.has(String(o.build_id))) errors.push(`${w}: build_id ${String(o.build_id)} unknown`);
        if (o.status !== undefined && !STATUSES.includes(String(o.status))) errors.push(`${w}: status ${String(o.status)} not in ${STATUSES.join('/')}`);
        if (o.path !== undefined && (typeof o.path !== 'string' || !PATH.test(o.path))) errors.push(`${w}: path "${String(o.path)}" has an empty or invalid component`);
      }
      if (kind === 'issues' || kind === 'incidents') checkTriage(kind, o, w, ids, versions, errors);
    });
  }
  return errors;
}
