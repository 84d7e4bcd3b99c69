export {
  computeStats,
  type EnvironmentStats,
  failureShape,
  percentile,
  renderStatsHuman,
} from './computeStats.js';
export { type HeartbeatEvent, heartbeatUrl, sendHeartbeat } from './heartbeat.js';
export { renderPrometheus, writePrometheusTextfile } from './prometheusTextfile.js';
export { RunCounters } from './RunCounters.js';
export type { Counters } from './types.js';
