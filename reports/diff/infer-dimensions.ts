/**
 * An unknown the inference varies: a list of options in order of how ordinary they are (the
 * first is the start), and the fields they write. Each selftest's plug-in says which it has
 * (cases/selftests/<test>/infer*.ts); the search (infer-search.ts) is the same for all.
 */
import type { Environment } from '../../cases/env.js';

export interface DimensionOption {
  label: string;
  apply: (e: Environment) => Environment;
}

export interface Dimension {
  name: string;
  options: DimensionOption[];
  /**
   * The fields this dimension's options write, as text. Beside the options, so that a new
   * dimension names what it varies where it varies it (searchCoordinates() reads these).
   */
  coordinate: (e: Environment) => string;
}

/**
 * The fields the dimensions vary: within one unpinned search (which changes nothing else)
 * they identify an environment. test/infer-dimensions.test.ts checks that no option writes a
 * field its dimension's coordinate leaves out.
 */
export function searchCoordinates(e: Environment, dims: readonly Dimension[]): string {
  let key = '';
  for (const d of dims) key += `${d.coordinate(e)}|`;
  return key;
}
