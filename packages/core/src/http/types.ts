import type { Logger } from '../log/index.js';
import type { Counters } from '../metrics/types.js';
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
  /**
   * Largest response body read, in bytes, for every request of this client (a request's own
   * `maxBodyBytes` overrides it). Default: no cap. See HttpRequestOptions.maxBodyBytes.
   */
  maxBodyBytes?: number | undefined;
}

export interface HttpRequestOptions {
  query?: HttpQuery | undefined;
  headers?: Record<string, string> | undefined;
  body?: HttpBody | undefined;
  /** Sent as Idempotency-Key on POST, PUT, PATCH and DELETE; it also lets a POST or PATCH be retried. */
  idempotencyKey?: string | undefined;
  /** Statuses that count as success; default any 2xx. */
  expect?: readonly number[] | undefined;
  /**
   * Default `json` (an empty body gives undefined); HEAD is always `none`. `none` asks for no
   * body: it is never read (a little is drained, the rest of the connection dropped).
   */
  responseType?: ResponseType | undefined;
  /**
   * Which answers have their body read: `expected` (default), every status that counts as
   * success; `2xx`, only 2xx ones: an expected 404, 401 or redirect comes back with body
   * undefined, its body never read.
   */
  readBodyOn?: 'expected' | '2xx' | undefined;
  /**
   * Largest body read, in bytes (overrides the client's `maxBodyBytes`). The body is read as a
   * stream: a Content-Length over the cap is refused before a byte is read, and a body that runs
   * past it (no Content-Length, or a lying one) is cut off there, its connection dropped. Either
   * way a PermanentError (never retried): `GET <url>: the <bodyLabel> is larger than 4.0 MiB; refused`.
   */
  maxBodyBytes?: number | undefined;
  /**
   * What the caller calls the body, in that error; best with the limit's name:
   * `manifest app/web@latest (maxManifestBytes)`. Default `response body`.
   */
  bodyLabel?: string | undefined;
  /** The hint of that error: what the operator can do about it. */
  bodyLimitHint?: string | undefined;
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
