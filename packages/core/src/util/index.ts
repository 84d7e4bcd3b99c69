export { formatBytes, parseBytes } from './bytes.js';
export { formatAge, formatDuration, parseDuration } from './duration.js';
export { type MapConcurrentlyOptions, mapConcurrently } from './mapConcurrently.js';
export { compactTimestamp, parseCompactTimestamp } from './time.js';
