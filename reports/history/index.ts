/** History over stored runs: timelines, failing-since, flapping, disappeared results, run comparison. */
export { buildTimelines, timelineGlyphs, type Timeline } from './timeline.js';
export { failingSince, type FailingSince } from './failing-since.js';
export { flapping, FLAP_MIN_CHANGES, FLAP_MIN_RUNS, type Flapping } from './flapping.js';
export { disappeared, type Disappeared } from './disappeared.js';
export { FlipExplainer, type FlipAccount, type FlipExpectation, type CommitChange } from './flip-explain.js';
export { compareRuns, type CompareSide, type Flip, type RunComparison } from './compare.js';
export { runRef, isFailing, isPresent, type RunRef, type TimelinePoint } from './types.js';
