import { LogLevel } from './constants.js';

const NAMES: Record<number, string> = Object.fromEntries(
  Object.entries(LogLevel).map(([name, value]) => [value, name.toUpperCase().padEnd(5)]),
);
const HIDDEN = new Set([
  'level',
  'time',
  'msg',
  'pid',
  'hostname',
  'cli',
  'command',
  'environment',
  'run_id',
]);

/** One JSON log line (already redacted) -> `12:00:01 INFO  message key=value` for a person at a terminal. */
export function humanFormat(line: string): string {
  let record: Record<string, unknown>;
  try {
    record = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line;
  }
  const time = typeof record.time === 'number' ? new Date(record.time).toISOString().slice(11, 19) : '';
  const level = NAMES[record.level as number] ?? String(record.level);
  const fields = Object.entries(record)
    .filter(([key]) => !HIDDEN.has(key))
    .map(([key, value]) => `${key}=${formatValue(value)}`)
    .join(' ');
  return `${time} ${level} ${String(record.msg ?? '')}${fields ? ` ${fields}` : ''}\n`;
}

function formatValue(value: unknown): string {
  if (typeof value === 'string') return /\s/.test(value) ? JSON.stringify(value) : value;
  if (value !== null && typeof value === 'object') {
    const err = value as { type?: unknown; message?: unknown };
    if (typeof err.type === 'string' && typeof err.message === 'string') return JSON.stringify(err.message);
    return JSON.stringify(value);
  }
  return String(value);
}
