import { ConfigError, TemperedError, TransientError } from '../../errors/index.js';
import { secrets } from '../../log/index.js';

// SQLSTATEs worth another attempt: the statement was rolled back, or the server is going away
const TRANSIENT_SQLSTATES = new Set([
  '40001', // serialization_failure
  '40P01', // deadlock_detected
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now
  '53300', // too_many_connections
]);
// rolled back as a whole: safe to run again even while a lease fences the writes
const ROLLED_BACK_SQLSTATES = new Set(['40001', '40P01']);
const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);

function sqlState(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** One line, redacted: pg messages carry no URL, but a registered secret might still echo back. */
export function describePgError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const code = sqlState(error);
  const line = message.split(/\r?\n/)[0] ?? '';
  return secrets.redactString(code && !line.includes(code) ? `${line} (${code})` : line);
}

export function isConnectionLoss(error: unknown): boolean {
  const code = sqlState(error);
  if (code !== undefined && (NETWORK_CODES.has(code) || code.startsWith('08') || code.startsWith('57P')))
    return true;
  // pg reports a socket closed under it without a code
  return (
    error instanceof Error &&
    /Connection terminated|connection timeout|Client has encountered a connection error/i.test(error.message)
  );
}

/**
 * A named prepared statement the server connection does not have (26000), or has under that
 * name already (42P05): what PgBouncer in transaction mode (before 1.21) does to them. Either
 * fails before the statement runs.
 */
export function isPreparedMismatch(error: unknown): boolean {
  const code = sqlState(error);
  return code === '26000' || code === '42P05';
}

/** True for a TransientError whose cause was rolled back by the server (serialization, deadlock). */
export function isRolledBack(error: unknown): boolean {
  return error instanceof TransientError && ROLLED_BACK_SQLSTATES.has(sqlState(error.cause) ?? '');
}

/**
 * Maps a pg/driver failure onto core's errors: transient ones become TransientError (exit 75,
 * retried by core's retry), bad credentials a ConfigError; anything else is a bug and passes as is.
 */
export function classifyPgError(error: unknown, operation: string): unknown {
  if (error instanceof TemperedError) return error;
  const code = sqlState(error) ?? '';
  if (TRANSIENT_SQLSTATES.has(code) || isConnectionLoss(error)) {
    return new TransientError(`PostgreSQL state store: ${operation} failed: ${describePgError(error)}`, {
      cause: error,
    });
  }
  if (code.startsWith('28')) {
    return new ConfigError(`PostgreSQL state store: ${describePgError(error)}`, {
      cause: error,
      hint: 'check the user and password of the state URL',
    });
  }
  return error;
}
