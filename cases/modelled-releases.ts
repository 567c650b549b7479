/**
 * Which kernel releases gupsim models: from 5.4 (the LTS before the first modelled commit, 5.8's
 * 17839856fd58, where the after-a-pin scenarios start; the gup_longterm timeline from 5.10) to
 * the newest release a modelled selftest version shipped in, plus their stable and -rc
 * releases and linux-next. A release outside that range would be simulated as if it were the
 * nearest modelled one, silently; it is refused instead, naming the range. The newest end
 * follows the selftests' versions, so modelling a new release widens it by itself.
 */
import { compareMainline, isRelease, parseRelease, type Release } from '../kernel-model/release.js';
import { selftestVersions } from './versions.js';

export const OLDEST_MODELLED = '5.4';

function mainline(text: string): Release {
  const r = parseRelease(text);
  if (!isRelease(r)) throw new Error(`bad release constant ${text}`);
  return r;
}

/** The newest mainline release a modelled selftest version first shipped in (e.g. 6.19). */
export function newestModelled(): string {
  return (NEWEST ??= computeNewestModelled());
}

/** The versions are static: its newest release is computed once, on first use. */
let NEWEST: string | undefined;

function computeNewestModelled(): string {
  let newest = mainline(OLDEST_MODELLED);
  for (const v of selftestVersions()) {
    const m = /\bv(\d+\.\d+)/.exec(v.firstShipped);
    if (!m?.[1]) continue;
    const r = mainline(m[1]);
    if (compareMainline(r, newest) > 0) newest = r;
  }
  return `${newest.major}.${newest.minor}`;
}

/** Why `r` is not a modelled release, or undefined when it is. */
export function unmodelledRelease(r: Release): string | undefined {
  if (r.next) return undefined;
  const newest = newestModelled();
  const range = (): string =>
    `gupsim models ${OLDEST_MODELLED} … ${newest} (with their stable x.y.z and -rcN releases, and the next release's -rcN) and next`;
  // Only the mainline position counts: 6.19.5 and 6.19-rc3 are 6.19. Compared as numbers
  // (what compareMainline() of `${major}.${minor}` and a mainline tag comes to), since every
  // environment parsed, one per prediction of a sweep, asks this of its release and its tree.
  if (positionCompare(r, mainline(OLDEST_MODELLED)) < 0) return `${r.text} is older than any modelled kernel; ${range()}`;
  // The -rcN of the release after the newest is today's mainline (e.g. 7.3-rc2 after 7.2):
  // until something in it is modelled, it behaves as the newest release.
  const n = mainline(newest);
  const nextRc = r.rc !== undefined && r.major === n.major && r.minor === n.minor + 1;
  if (positionCompare(r, n) > 0 && !nextRc) return `${r.text} is newer than any modelled kernel; ${range()}`;
  return undefined;
}

/** compareMainline() of r's mainline position (its major.minor) with the mainline tag `m`. */
function positionCompare(r: Release, m: Release): number {
  return r.major !== m.major ? r.major - m.major : r.minor - m.minor;
}
