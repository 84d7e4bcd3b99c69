import type { Logger } from '../log/index.js';
import type { Counters } from '../metrics/index.js';
import type { DurationInput, RetryPolicyOptions } from '../retry/index.js';

export type HttpMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'OPTIONS';

export type HttpAuth = { username: string; password: string } | { token: string };

export type QueryValue = string | number | boolean | null | undefined;
/** null and undefined are left out; arrays repeat the key. */
export type HttpQuery = Record<string, QueryValue | readonly QueryValue[]>;

/** Objects and arrays are sent as JSON; strings and bytes as they are. */
export type HttpBody = string | Uint8Array | Record<string, unknown> | readonly unknown[];

export type ResponseType = 'json' | 'text' | 'buffer' | 'none';

export interface HttpClientOptions {
  /** Prefix for `path`; its own path is kept (`https://api/v1` + `items` = `https://api/v1/items`). */
  baseUrl?: string | URL | undefined;
  headers?: Record<string, string> | undefined;
  connectTimeoutMs?: DurationInput | undefined;
  headersTimeoutMs?: DurationInput | undefined;
  bodyTimeoutMs?: DurationInput | undefined;
  retry?: RetryPolicyOptions | undefined;
  /** Requests in flight at once, retries and their waits included. */
  concurrency?: number | undefined;
  /** Upper bound on requests sent per second (evenly spaced, no bursts). */
  rateLimitPerSecond?: number | undefined;
  logger?: Logger | undefined;
  counters?: Counters | undefined;
  /** Defaults to `tempered/<core version>`. */
  userAgent?: string | undefined;
  auth?: HttpAuth | undefined;
}

export interface HttpRequestOptions {
  query?: HttpQuery | undefined;
  headers?: Record<string, string> | undefined;
  body?: HttpBody | undefined;
  /** Sent as Idempotency-Key on POST, PUT, PATCH and DELETE; it also lets a POST or PATCH be retried. */
  idempotencyKey?: string | undefined;
  /** Statuses that count as success; default any 2xx. */
  expect?: readonly number[] | undefined;
  /** Default `json` (an empty body gives undefined); HEAD is always `none`. */
  responseType?: ResponseType | undefined;
  signal?: AbortSignal | undefined;
  /** `false`: one attempt; an object: overrides the client's policy for this request. */
  retry?: false | RetryPolicyOptions | undefined;
}

export interface HttpRequest extends HttpRequestOptions {
  method: HttpMethod;
  /** Joined to baseUrl. Give `path` or `url`, not both. */
  path?: string | undefined;
  /** An absolute URL; credentials in it become basic auth and are redacted. */
  url?: string | URL | undefined;
}

export interface HttpResponse<T> {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: T;
  /** Sent as X-Request-Id; the same on every attempt of one request. */
  requestId: string;
  attempts: number;
}
