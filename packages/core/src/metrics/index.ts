export { RunCounters } from './RunCounters.js';
export type { Counters } from './types.js';
