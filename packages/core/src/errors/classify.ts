import { TemperedError } from './TemperedError.js';

/** HTTP statuses worth another attempt: timeouts, too-early, throttling and gateway trouble. */
const RETRYABLE_HTTP_STATUSES: ReadonlySet<number> = new Set([408, 425, 429, 500, 502, 503, 504]);

/** Network-level error codes (Node and undici) that a later attempt can get past. */
const RETRYABLE_ERROR_CODES: ReadonlySet<string> = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'ENETUNREACH',
  'ENETDOWN',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'EAI_AGAIN',
  'ENOTFOUND',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
]);

export function isRetryableStatus(status: number): boolean {
  return RETRYABLE_HTTP_STATUSES.has(status);
}

/**
 * The single answer to "is another attempt worth it?". Our own errors say so themselves;
 * foreign errors are judged by their code (walking `cause`), an HTTP status, or a timeout name.
 * Anything unknown is not retried: failing fast beats hiding a bug behind retries.
 */
export function isRetryable(error: unknown): boolean {
  const seen = new Set<unknown>();
  let current: unknown = error;
  while (current !== null && typeof current === 'object' && !seen.has(current)) {
    seen.add(current);
    if (current instanceof TemperedError) return current.retryable;
    const e = current as {
      code?: unknown;
      status?: unknown;
      statusCode?: unknown;
      name?: unknown;
      cause?: unknown;
    };
    if (typeof e.code === 'string' && RETRYABLE_ERROR_CODES.has(e.code)) return true;
    const status =
      typeof e.status === 'number' ? e.status : typeof e.statusCode === 'number' ? e.statusCode : undefined;
    if (status !== undefined) return isRetryableStatus(status);
    if (e.name === 'TimeoutError') return true;
    current = e.cause;
  }
  return false;
}
