/**
 * import() of a package that is not bundled (execa). The installed CLI runs inside one
 * vm.Script compiled from V8's code cache (bin/load-cli.js), where the script's own import()
 * has no module loader; the bin lends its own through a global hook. Under tsx and in tests
 * there is no hook and import() is the ordinary one.
 */
const HOOK = Symbol.for('gupsim.import');

export async function importExternal<T>(specifier: string): Promise<T> {
  const hook = (globalThis as Record<symbol, unknown>)[HOOK];
  if (typeof hook === 'function') return (await (hook as (s: string) => Promise<unknown>)(specifier)) as T;
  return (await import(specifier)) as T;
}
