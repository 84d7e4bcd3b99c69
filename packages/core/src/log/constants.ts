/** pino's numeric levels, so our lines read the same as any pino line. */
export const LogLevel = {
  trace: 10,
  debug: 20,
  info: 30,
  warn: 40,
  error: 50,
  fatal: 60,
} as const;

export type LogLevelName = keyof typeof LogLevel | 'silent';

export const LOG_LEVEL_NAMES: readonly LogLevelName[] = [
  'trace',
  'debug',
  'info',
  'warn',
  'error',
  'fatal',
  'silent',
];
