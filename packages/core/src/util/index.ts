export { formatBytes } from './bytes.js';
export { formatDuration, parseDuration } from './duration.js';
