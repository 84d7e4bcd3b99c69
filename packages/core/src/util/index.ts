export { formatBytes, parseBytes } from './bytes.js';
export { formatDuration, parseDuration } from './duration.js';
export { type MapConcurrentlyOptions, mapConcurrently } from './mapConcurrently.js';
