/**
 * What `--db` / `$GUPSIM_DB` names: a SQLite file path, or a PostgreSQL URL
 * (`postgresql://user@host:5432/db`, `postgres://…`, or a unix socket:
 * `postgresql://user@/db?host=/run/postgresql`).
 */
export function isPostgresUrl(location: string): boolean {
  return /^postgres(ql)?:\/\//i.test(location);
}

/** The URL as it may be printed: the password masked. */
export function redactUrl(url: string): string {
  return url.replace(/^(postgres(?:ql)?:\/\/[^:@/?#]*):[^@/?#]*@/i, '$1:***@').replace(/([?&]password=)[^&#]*/i, '$1***');
}

/** The default store: $GUPSIM_DB, else ./gupsim.db. */
export function defaultStorePath(env: NodeJS.ProcessEnv): string {
  return env.GUPSIM_DB && env.GUPSIM_DB !== '' ? env.GUPSIM_DB : 'gupsim.db';
}
