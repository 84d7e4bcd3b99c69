import { randomUUID } from 'node:crypto';
import type { Agent, Dispatcher } from 'undici';
import { InternalError, isRetryable, isRetryableStatus, UsageError } from '../errors/index.js';
import { redactHeaders, redactUrl, secrets } from '../log/index.js';
import { resolveRetryPolicy, retry } from '../retry/index.js';
import { bodyTooLarge, encodeBody, readBody } from './body.js';
import { NON_IDEMPOTENT_METHODS, NOT_SENT_ERROR_CODES, UNSAFE_METHODS } from './constants.js';
import { errorCode, networkError, statusError } from './errors.js';
import { authorization, type ResolvedHttpOptions, resolveHttpOptions } from './options.js';
import { RateLimiter } from './RateLimiter.js';
import { Semaphore } from './Semaphore.js';
import type {
  HttpBody,
  HttpClientOptions,
  HttpRequest,
  HttpRequestOptions,
  HttpResponse,
  ResponseType,
} from './types.js';
import { appendQuery, joinPath, parseHttpUrl } from './url.js';

// undici costs ~140 ms to load: a CLI run that never talks HTTP must not pay for it
let undici: Promise<typeof import('undici')> | undefined;
const loadUndici = () => (undici ??= import('undici'));

/** Everything one request needs, computed once and shared by its attempts. */
interface Call {
  method: string;
  url: string;
  /** Redacted: the only form of the URL that reaches logs and errors. */
  shownUrl: string;
  /** `GET <shownUrl>`, naming the request in log lines and errors. */
  describe: string;
  headers: Record<string, string>;
  payload: string | Uint8Array | undefined;
  responseType: ResponseType;
  expect: readonly number[] | undefined;
  /** Read the body of 2xx answers only; other expected ones come back with body undefined. */
  only2xxBody: boolean;
  /** The cap on the body read, with its refusal; undefined: no cap. */
  cap: { maxBytes: number; tooLarge: () => Error } | undefined;
  requestId: string;
}

/**
 * The one HTTP client of Tempered. One X-Request-Id per request, the same on every attempt, so
 * the server side can tie retries together; the attempt number is in each log line.
 */
export class HttpClient {
  readonly #options: ResolvedHttpOptions;
  readonly #semaphore: Semaphore;
  readonly #rateLimiter: RateLimiter | undefined;
  #agent: Promise<Agent> | undefined;
  #closed = false;

  constructor(options: HttpClientOptions = {}) {
    this.#options = resolveHttpOptions(options);
    this.#semaphore = new Semaphore(this.#options.concurrency);
    const rate = this.#options.rateLimitPerSecond;
    this.#rateLimiter = rate === undefined ? undefined : new RateLimiter(rate);
  }

  get<T = unknown>(target: string, options?: HttpRequestOptions): Promise<HttpResponse<T>> {
    return this.request<T>({ ...options, ...targetOf(target), method: 'GET' });
  }

  head(target: string, options?: HttpRequestOptions): Promise<HttpResponse<undefined>> {
    return this.request<undefined>({ ...options, ...targetOf(target), method: 'HEAD' });
  }

  post<T = unknown>(target: string, body?: HttpBody, options?: HttpRequestOptions): Promise<HttpResponse<T>> {
    return this.request<T>({ ...options, ...targetOf(target), method: 'POST', body });
  }

  put<T = unknown>(target: string, body?: HttpBody, options?: HttpRequestOptions): Promise<HttpResponse<T>> {
    return this.request<T>({ ...options, ...targetOf(target), method: 'PUT', body });
  }

  patch<T = unknown>(
    target: string,
    body?: HttpBody,
    options?: HttpRequestOptions,
  ): Promise<HttpResponse<T>> {
    return this.request<T>({ ...options, ...targetOf(target), method: 'PATCH', body });
  }

  delete<T = unknown>(target: string, options?: HttpRequestOptions): Promise<HttpResponse<T>> {
    return this.request<T>({ ...options, ...targetOf(target), method: 'DELETE' });
  }

  async request<T = unknown>(req: HttpRequest): Promise<HttpResponse<T>> {
    if (this.#closed) throw new InternalError('HttpClient.request() called after close()');
    const call = this.#prepare(req);
    const policy = req.retry ? resolveRetryPolicy(req.retry, this.#options.retry) : this.#options.retry;
    let attempts = 0;
    // the permit covers the backoff waits too: a struggling server gets fewer requests, not more
    const release = await this.#semaphore.acquire(req.signal);
    try {
      const result = await retry(
        ({ attempt, signal }) => {
          attempts = attempt;
          return this.#attempt(call, attempt, signal);
        },
        policy,
        {
          // retry's own lines carry the request id too; ours below name it explicitly
          logger: this.#options.logger.child({ request_id: call.requestId }),
          counters: this.#options.counters,
          signal: req.signal,
          operation: call.describe,
          retryIf:
            req.retry === false ? () => false : retryRule(call.method, req.idempotencyKey !== undefined),
        },
      );
      return { ...result, body: result.body as T, requestId: call.requestId, attempts };
    } finally {
      release();
    }
  }

  /** Closes the pooled connections; requests still running finish first. */
  async close(): Promise<void> {
    this.#closed = true;
    const agent = this.#agent;
    this.#agent = undefined;
    if (agent) await (await agent).close();
  }

  #prepare(req: HttpRequest): Call {
    const method = req.method.toUpperCase();
    const { url, credentials } = this.#target(req);
    const { payload, contentType } = encodeBody(req.body);
    const responseType = method === 'HEAD' ? 'none' : (req.responseType ?? 'json');
    const headers: Record<string, string> = {};
    if (responseType === 'json') headers.accept = 'application/json';
    if (contentType) headers['content-type'] = contentType;
    Object.assign(headers, this.#options.headers);
    if (credentials) headers.authorization = authorization(credentials);
    for (const [name, value] of Object.entries(req.headers ?? {})) headers[name.toLowerCase()] = value;
    // a key on GET or HEAD would mean nothing to the server; it is simply not sent
    if (req.idempotencyKey !== undefined && UNSAFE_METHODS.has(method)) {
      headers['idempotency-key'] = req.idempotencyKey;
    }
    const requestId = headers['x-request-id'] ?? randomUUID();
    headers['x-request-id'] = requestId;
    const shownUrl = redactUrl(url);
    const describe = `${method} ${shownUrl}`;
    const maxBytes = req.maxBodyBytes ?? this.#options.maxBodyBytes;
    if (maxBytes !== undefined && !(Number.isSafeInteger(maxBytes) && maxBytes >= 0))
      throw new UsageError('http request: maxBodyBytes must be a whole number of bytes, 0 or more');
    const label = req.bodyLabel ?? 'response body';
    return {
      method,
      url: url.href,
      shownUrl,
      describe,
      headers,
      payload,
      responseType,
      expect: req.expect,
      only2xxBody: req.readBodyOn === '2xx',
      cap:
        maxBytes === undefined
          ? undefined
          : { maxBytes, tooLarge: () => bodyTooLarge(describe, label, maxBytes, req.bodyLimitHint) },
      requestId,
    };
  }

  #target(req: HttpRequest): ReturnType<typeof parseHttpUrl> {
    if (req.url !== undefined && req.path !== undefined)
      throw new UsageError('http request: give path or url, not both');
    let target: ReturnType<typeof parseHttpUrl>;
    if (req.url !== undefined) target = parseHttpUrl(req.url, 'http request url');
    else if (req.path === undefined) throw new UsageError('http request: path or url is required');
    else if (this.#options.baseUrl) target = { url: joinPath(this.#options.baseUrl, req.path) };
    else throw new UsageError(`http request: path "${secrets.redactString(req.path)}" needs a baseUrl`);
    appendQuery(target.url, req.query);
    return target;
  }

  async #attempt(
    call: Call,
    attempt: number,
    signal: AbortSignal,
  ): Promise<Pick<HttpResponse<unknown>, 'status' | 'headers' | 'body'>> {
    await this.#rateLimiter?.wait(signal);
    const [{ request }, dispatcher] = await Promise.all([loadUndici(), this.#dispatcher()]);
    this.#options.counters?.increment('http_requests');
    const logger = this.#options.logger;
    const started = performance.now();
    let status: number | undefined;
    let failure: string | undefined;
    try {
      const res = await request(call.url, {
        method: call.method as Dispatcher.HttpMethod,
        headers: call.headers,
        body: call.payload,
        signal,
        dispatcher,
      });
      status = res.statusCode;
      // redacting headers has a cost; pay it only when someone reads trace lines
      if (logger.isLevelEnabled('trace')) {
        logger.trace(
          {
            request_id: call.requestId,
            request_headers: redactHeaders(call.headers),
            response_headers: redactHeaders(res.headers),
          },
          'http headers',
        );
      }
      if (call.expect ? !call.expect.includes(status) : status < 200 || status >= 300) {
        // read to the end (or drop the socket) so a failed attempt never holds a pooled connection
        await res.body.dump().catch(() => undefined);
        const retryAfter = [res.headers['retry-after']].flat()[0];
        const { STATUS_CODES } = await import('node:http');
        throw statusError(call.describe, status, STATUS_CODES[status], retryAfter, isRetryableStatus(status));
      }
      const success = status >= 200 && status < 300;
      const type = call.only2xxBody && !success ? 'none' : call.responseType;
      // a body past the cap is a PermanentError: the same answer would come again, so no retry
      const body = await readBody(
        res.body,
        type,
        call.describe,
        call.cap && { ...call.cap, contentLength: res.headers['content-length'] },
      );
      return { status, headers: res.headers, body };
    } catch (error) {
      const mapped = networkError(call.describe, error);
      failure = mapped.message;
      throw mapped;
    } finally {
      logger.debug(
        {
          request_id: call.requestId,
          method: call.method,
          url: call.shownUrl,
          status,
          duration_ms: Math.round(performance.now() - started),
          attempt,
          error: failure,
        },
        'http request',
      );
    }
  }

  #dispatcher(): Promise<Agent> {
    // a retry that outlives close() must not open a pool nobody will close
    if (this.#closed)
      return Promise.reject(new InternalError('HttpClient closed while a request was retrying'));
    const { connectTimeoutMs, headersTimeoutMs, bodyTimeoutMs } = this.#options;
    this.#agent ??= loadUndici().then(
      ({ Agent }) =>
        new Agent({
          connect: { timeout: connectTimeoutMs },
          headersTimeout: headersTimeoutMs,
          bodyTimeout: bodyTimeoutMs,
        }),
    );
    return this.#agent;
  }
}

/**
 * GET, HEAD, PUT, DELETE and OPTIONS are idempotent (RFC 9110 §9.2.2): sending one twice has the
 * effect of sending it once, so every retryable failure is retried. POST and PATCH are not: a 503
 * or a timeout can come after the server applied the change, and a second copy would be a second
 * order or deploy. They are retried only with an Idempotency-Key (the server drops the duplicate)
 * or when the error proves nothing was sent (connection refused, connect timeout, DNS).
 */
export function retryRule(method: string, hasIdempotencyKey: boolean): (error: unknown) => boolean {
  if (!NON_IDEMPOTENT_METHODS.has(method) || hasIdempotencyKey) return isRetryable;
  return (error) => isRetryable(error) && NOT_SENT_ERROR_CODES.has(errorCode(error) ?? '');
}

/** Shortcuts take a path (joined to baseUrl) or an absolute URL. */
function targetOf(target: string): { path: string } | { url: string } {
  return /^https?:\/\//i.test(target) ? { url: target } : { path: target };
}
