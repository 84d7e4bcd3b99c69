import { randomBytes } from 'node:crypto';
import { compactTimestamp } from '../util/time.js';

/** Sortable by time, short enough to read in a log line: 20261128T131500Z-a1b2c3. */
export function newRunId(now = new Date()): string {
  return `${compactTimestamp(now)}-${randomBytes(3).toString('hex')}`;
}
