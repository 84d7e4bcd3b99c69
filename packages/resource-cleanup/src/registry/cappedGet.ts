import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import {
  type Counters,
  HTTP_DEFAULTS,
  isRetryable,
  isRetryableStatus,
  type Logger,
  PermanentError,
  parseRetryAfter,
  type RetryPolicyOptions,
  redactUrl,
  retry,
  silentLogger,
  TemperedError,
  TransientError,
} from '@tempered/core';
import type { Agent } from 'undici';
import { formatBytes } from '../util/format.js';
import { Gate } from '../util/Gate.js';
import { readCapped } from './readCapped.js';

export interface CappedRequest {
  url: string;
  headers: Record<string, string>;
  /** Statuses besides 2xx that are answers (their bodies are not read), not failures. */
  expect: readonly number[];
  maxBytes: number;
  /** Names the body and the limit in the error: `manifest app/web@latest (maxManifestBytes)`. */
  what: string;
  signal?: AbortSignal | undefined;
}

export interface CappedResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** The 2xx body; empty for the other expected statuses. */
  body: Buffer;
}

/** A GET whose body is read as a stream and refused past a cap. */
export type CappedGet = (request: CappedRequest) => Promise<CappedResponse>;

export interface CappedGetOptions {
  logger?: Logger | undefined;
  counters?: Counters | undefined;
  retry?: RetryPolicyOptions | undefined;
  /** Requests in flight at once, retries and their waits included. */
  concurrency: number;
}

let undici: Promise<typeof import('undici')> | undefined;
const loadUndici = () => (undici ??= import('undici'));

/**
 * GETs with a byte cap on the body. Core's HttpClient reads every body whole before it returns,
 * so a registry could make it buffer anything; this reads the stream and stops at the cap. It
 * keeps core's behaviour otherwise: the same timeouts, the run's retry policy (with Retry-After),
 * retry counters and log lines, a request id, redacted URLs. No redirect is followed.
 */
export function cappedGet(options: CappedGetOptions): CappedGet {
  const logger = options.logger ?? silentLogger();
  const gate = new Gate(options.concurrency);
  let agent: Promise<Agent> | undefined;
  const dispatcher = () =>
    (agent ??= loadUndici().then(
      ({ Agent }) =>
        new Agent({
          connect: { timeout: HTTP_DEFAULTS.connectTimeoutMs },
          headersTimeout: HTTP_DEFAULTS.headersTimeoutMs,
          bodyTimeout: HTTP_DEFAULTS.bodyTimeoutMs,
        }),
    ));

  return (request) =>
    gate.run(() => {
      const requestId = randomUUID();
      const describe = `GET ${redactUrl(request.url)}`;
      return retry(
        async ({ attempt, signal }) => {
          const [{ request: send }, pool] = await Promise.all([loadUndici(), dispatcher()]);
          options.counters?.increment('http_requests');
          const started = performance.now();
          let status: number | undefined;
          let failure: string | undefined;
          try {
            const res = await send(request.url, {
              method: 'GET',
              headers: { ...request.headers, 'x-request-id': requestId },
              signal,
              dispatcher: pool,
            });
            status = res.statusCode;
            if (status < 200 || status >= 300) {
              // dump() reads a little and then drops the connection: no cap needed here
              await res.body.dump().catch(() => undefined);
              if (request.expect.includes(status))
                return { status, headers: res.headers, body: Buffer.alloc(0) };
              throw statusError(describe, status, [res.headers['retry-after']].flat()[0]);
            }
            const body = await readCapped(res.body, res.headers['content-length'], request.maxBytes, () => {
              return new PermanentError(
                `${describe}: the ${request.what} is larger than ${formatBytes(request.maxBytes)}; refused`,
                {
                  hint: 'if the registry is trusted and this is expected, raise the limit named in the rule',
                },
              );
            });
            return { status, headers: res.headers, body };
          } catch (error) {
            const mapped = networkError(describe, error);
            failure = mapped.message;
            throw mapped;
          } finally {
            logger.debug(
              {
                request_id: requestId,
                method: 'GET',
                url: redactUrl(request.url),
                status,
                duration_ms: Math.round(performance.now() - started),
                attempt,
                error: failure,
              },
              'http request',
            );
          }
        },
        options.retry,
        {
          logger: logger.child({ request_id: requestId }),
          counters: options.counters,
          signal: request.signal,
          operation: describe,
        },
      );
    });
}

function statusError(describe: string, status: number, retryAfter: string | undefined): TemperedError {
  const text = STATUS_CODES[status];
  const message = `${describe} -> ${status}${text ? ` ${text}` : ''}`;
  if (isRetryableStatus(status))
    return new TransientError(message, { status, retryAfterMs: parseRetryAfter(retryAfter) });
  return new PermanentError(message, { status });
}

function networkError(describe: string, error: unknown): TemperedError {
  if (error instanceof TemperedError) return error;
  const code = (error as { code?: unknown } | undefined)?.code;
  const detail = `${error instanceof Error ? error.message : String(error)}${typeof code === 'string' ? ` (${code})` : ''}`;
  const message = `${describe} failed: ${detail}`;
  return isRetryable(error) || code === 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH'
    ? new TransientError(message, { cause: error })
    : new PermanentError(message, { cause: error });
}
