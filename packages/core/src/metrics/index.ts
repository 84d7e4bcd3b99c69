export {
  computeStats,
  type EnvironmentStats,
  failureShape,
  percentile,
  renderStatsHuman,
} from './computeStats.js';
export { type HeartbeatEvent, type HeartbeatOptions, heartbeatUrl, sendHeartbeat } from './heartbeat.js';
export {
  counterMetric,
  LABEL_NAME_PATTERN,
  METRIC_NAME_PATTERN,
  metricsFileName,
  metricsPathIn,
  renderPrometheus,
  writePrometheusTextfile,
} from './prometheusTextfile.js';
export { RunCounters } from './RunCounters.js';
export type { Counters } from './types.js';
