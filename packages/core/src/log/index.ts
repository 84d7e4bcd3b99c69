export { LOG_LEVEL_NAMES, LogLevel, type LogLevelName } from './constants.js';
export {
  type ClosableLogger,
  createLogger,
  type Logger,
  type LoggerOptions,
  openLogFile,
  silentLogger,
} from './createLogger.js';
export { humanFormat } from './humanFormat.js';
export { LOG_TAIL_BYTES, LOG_TAIL_LINES, LogTail } from './LogTail.js';
export {
  isSecretEnvName,
  REDACTED,
  Redactor,
  redactHeaders,
  redactUrl,
  SECRET_KEY_PATTERN,
  secrets,
} from './redact.js';
