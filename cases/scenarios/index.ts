/** Every scenario gupsim ships, in the order `gupsim scenario` lists them. */
import { cowEitherWay } from './cow-either-way.js';
import { dirtyAfterWriteback } from './dirty-after-writeback.js';
import { kernelVaAccess } from './kernel-va-access.js';
import { pfnmapLifetime } from './pfnmap-lifetime.js';
import type { Scenario } from './scenario.js';

export const SCENARIOS: readonly Scenario[] = [dirtyAfterWriteback, cowEitherWay, pfnmapLifetime, kernelVaAccess];

export function scenarioByName(name: string): Scenario | undefined {
  return SCENARIOS.find((s) => s.name === name);
}
