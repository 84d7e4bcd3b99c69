import { randomBytes } from 'node:crypto';

/** Sortable by time, short enough to read in a log line: 20261128T131500Z-a1b2c3. */
export function newRunId(now = new Date()): string {
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  return `${stamp}-${randomBytes(3).toString('hex')}`;
}
