import { isRetryable, PermanentError, TemperedError, TransientError } from '../errors/index.js';
import { parseRetryAfter } from '../retry/index.js';

/** A status outside `expect`: retryable ones are transient (with the server's Retry-After), the rest permanent. */
export function statusError(
  describe: string,
  status: number,
  statusText: string | undefined,
  retryAfter: string | undefined,
  retryable: boolean,
): TransientError | PermanentError {
  const message = `${describe} -> ${status}${statusText ? ` ${statusText}` : ''}`;
  if (retryable) return new TransientError(message, { status, retryAfterMs: parseRetryAfter(retryAfter) });
  const hint =
    status === 401
      ? 'check the credentials (token or user/password): the server did not accept them'
      : status === 403
        ? 'check the credentials and their permissions: the server refused this request'
        : undefined;
  return new PermanentError(message, { status, hint });
}

/** A failure below HTTP (refused, reset, timeout): transient when the classifier says so, with the original as cause. */
export function networkError(describe: string, error: unknown): TemperedError {
  if (error instanceof TemperedError) return error;
  const code = errorCode(error);
  const detail = `${error instanceof Error ? error.message : String(error)}${code ? ` (${code})` : ''}`;
  const message = `${describe} failed: ${detail}`;
  // a truncated body is the connection's fault, not the resource's
  return isRetryable(error) || code === 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH'
    ? new TransientError(message, { cause: error })
    : new PermanentError(message, { cause: error });
}

/** The first string `code` along the cause chain (undici wraps socket errors). */
export function errorCode(error: unknown): string | undefined {
  const seen = new Set<unknown>();
  let current = error;
  while (current !== null && typeof current === 'object' && !seen.has(current)) {
    seen.add(current);
    const { code, cause } = current as { code?: unknown; cause?: unknown };
    // our own codes (E_TRANSIENT...) name the class, not the failure
    if (typeof code === 'string' && !(current instanceof TemperedError)) return code;
    current = cause;
  }
  return undefined;
}
