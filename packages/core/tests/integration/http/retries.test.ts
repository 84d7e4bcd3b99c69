import { afterEach, describe, expect, it } from 'vitest';
import { PermanentError, TransientError } from '../../../src/errors/index.js';
import { HttpClient } from '../../../src/http/index.js';
import { RunCounters } from '../../../src/metrics/index.js';
import { RetryExhaustedError } from '../../../src/retry/index.js';
import { captureLogs } from '../../unit/retry/logCapture.js';
import { caught, closedPort, json, startServer, type TestServer } from './testServer.js';

let server: TestServer | undefined;
let client: HttpClient | undefined;

afterEach(async () => {
  await client?.close();
  await server?.close();
  client = undefined;
  server = undefined;
});

describe('HttpClient against a real server: retries', () => {
  it('honours Retry-After on 429, backs off on 503, then succeeds; every retry logged and counted', async () => {
    // Prepare
    server = await startServer((_req, res, index) => {
      if (index === 0) json(res, 429, { error: 'slow down' }, { 'retry-after': '1' });
      else if (index === 1) json(res, 503, { error: 'busy' });
      else json(res, 200, { ok: true });
    });
    const logs = captureLogs('debug');
    const counters = new RunCounters();
    client = new HttpClient({
      baseUrl: server.url,
      logger: logs.logger,
      counters,
      retry: { baseDelayMs: 10, maxDelayMs: 20 },
    });
    // Act
    const response = await client.get<{ ok: boolean }>('/things');
    // Assess
    expect(response).toMatchObject({ status: 200, body: { ok: true }, attempts: 3 });
    expect(server.received).toHaveLength(3);
    const [first, second, third] = server.received;
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(950);
    expect(third!.at - second!.at).toBeLessThan(500);
    expect(counters.get('retries')).toBe(2);
    expect(counters.get('http_requests')).toBe(3);
    const retrying = logs.records().filter((r) => r.msg === 'retrying');
    expect(retrying).toHaveLength(2);
    expect(retrying[0]).toMatchObject({
      level: 40,
      request_id: response.requestId,
      operation: `GET ${server.url}/things`,
      attempt: 1,
      nextAttempt: 2,
      delayMs: 1_000,
      status: 429,
      reason: `GET ${server.url}/things -> 429 Too Many Requests`,
    });
    expect(retrying[1]).toMatchObject({ attempt: 2, nextAttempt: 3, status: 503 });
    expect(retrying[1]?.delayMs).toBeLessThan(20);
    // one request id for all attempts of one request
    expect(new Set(server.received.map((r) => r.headers['x-request-id']))).toEqual(
      new Set([response.requestId]),
    );
  });

  it.each([
    [400, 'Bad Request', undefined],
    [401, 'Unauthorized', /check the credentials/],
  ])('does not retry %i: one request, PermanentError with status, exit 1', async (status, text, hint) => {
    server = await startServer((_req, res) => json(res, status, { error: 'no' }));
    const counters = new RunCounters();
    client = new HttpClient({ baseUrl: server.url, counters, retry: { baseDelayMs: 1 } });
    const error = await caught(client.get('/x'));
    expect(server.received).toHaveLength(1);
    expect(error).toBeInstanceOf(PermanentError);
    expect(error).toMatchObject({ status, exitCode: 1, message: `GET ${server.url}/x -> ${status} ${text}` });
    if (hint) expect((error as PermanentError).hint).toMatch(hint);
    expect(counters.get('retries')).toBe(0);
  });

  it('retries a stalled server at each headers timeout, then exits 75 after exactly maxAttempts', async () => {
    server = await startServer(() => {
      // never answers
    });
    const counters = new RunCounters();
    client = new HttpClient({
      baseUrl: server.url,
      counters,
      // undici checks this timeout on a ~1 s tick: each attempt takes about a second
      headersTimeoutMs: 150,
      retry: { maxAttempts: 2, baseDelayMs: 10 },
    });
    const error = await caught(client.get('/slow'));
    expect(server.received).toHaveLength(2);
    expect(error).toBeInstanceOf(RetryExhaustedError);
    expect(error).toBeInstanceOf(TransientError);
    expect(error).toMatchObject({ exitCode: 75, attempts: 2, reason: 'attempts' });
    expect((error as Error).message).toMatch(
      /^GET http:\/\/127\.0\.0\.1:\d+\/slow failed after 2 attempts: .*UND_ERR_HEADERS_TIMEOUT/,
    );
    expect(counters.get('retries')).toBe(1);
  });

  it('retries a stalled server at each attempt timeout as well', async () => {
    server = await startServer(() => {});
    client = new HttpClient({
      baseUrl: server.url,
      // long enough for the request to reach the server on a busy machine before its attempt ends
      retry: { maxAttempts: 2, attemptTimeoutMs: 600, baseDelayMs: 1 },
    });
    const error = await caught(client.get('/slow'));
    expect(server.received).toHaveLength(2);
    expect(error).toMatchObject({ exitCode: 75, attempts: 2 });
    expect((error as Error).cause).toMatchObject({ code: 'E_ATTEMPT_TIMEOUT' });
  });

  it('turns connection refused into a TransientError, retried even for a POST without a key', async () => {
    const port = await closedPort();
    const counters = new RunCounters();
    client = new HttpClient({ counters, retry: { maxAttempts: 2, baseDelayMs: 1 } });
    const error = await caught(client.post(`http://127.0.0.1:${port}/jobs`, { run: true }));
    expect(error).toBeInstanceOf(TransientError);
    expect(error).toMatchObject({ exitCode: 75, attempts: 2 });
    const last = (error as Error).cause as TransientError;
    expect(last).toBeInstanceOf(TransientError);
    expect(last.message).toMatch(/ECONNREFUSED/);
    expect(counters.get('retries')).toBe(1);
  });

  it('sends a POST without an idempotency key once on 503, and retries it when it has one', async () => {
    server = await startServer((_req, res, index) =>
      index === 0 ? json(res, 503, {}) : json(res, 201, { id: 7 }),
    );
    client = new HttpClient({ baseUrl: server.url, retry: { baseDelayMs: 1 } });
    // Act: no key
    const error = await caught(client.post('/orders', { item: 'a' }));
    // Assess: the server may have applied it; a second copy could be a second order
    expect(server.received).toHaveLength(1);
    expect(error).toBeInstanceOf(TransientError);
    expect(error).not.toBeInstanceOf(RetryExhaustedError);
    expect(error).toMatchObject({ status: 503, exitCode: 75 });

    // Act: with a key (the server is now at index 1 -> answers 201; reset the sequence first)
    server.received.length = 0;
    await server.close();
    server = await startServer((_req, res, index) =>
      index === 0 ? json(res, 503, {}) : json(res, 201, { id: 7 }),
    );
    const keyed = await client.post(`${server.url}/orders`, { item: 'a' }, { idempotencyKey: 'order-42' });
    expect(keyed).toMatchObject({ status: 201, attempts: 2 });
    expect(server.received.map((r) => r.headers['idempotency-key'])).toEqual(['order-42', 'order-42']);
  });

  it('lets a request override part of the client policy', async () => {
    server = await startServer((_req, res) => json(res, 503, {}));
    client = new HttpClient({ baseUrl: server.url, retry: { maxAttempts: 5, baseDelayMs: 1 } });
    const error = await caught(client.get('/x', { retry: { maxAttempts: 2 } }));
    expect(server.received).toHaveLength(2);
    expect(error).toMatchObject({ attempts: 2, status: 503 });
  });

  it('does not retry when the request says retry: false', async () => {
    server = await startServer((_req, res) => json(res, 503, {}));
    client = new HttpClient({ baseUrl: server.url, retry: { baseDelayMs: 1 } });
    const error = await caught(client.get('/x', { retry: false }));
    expect(server.received).toHaveLength(1);
    expect(error).toMatchObject({ status: 503, exitCode: 75 });
  });

  it('drains failed responses so the pooled connection is reused, not leaked', async () => {
    const big = 'x'.repeat(64 * 1024);
    server = await startServer((_req, res, index) => {
      if (index < 2) {
        res.writeHead(503, { 'content-type': 'text/plain' });
        res.end(big);
      } else json(res, 200, { ok: true });
    });
    client = new HttpClient({ baseUrl: server.url, retry: { baseDelayMs: 1 } });
    await client.get('/x');
    expect(server.received).toHaveLength(3);
    expect(server.connections).toBe(1);
    // an undrained body hangs the pool: fail fast rather than at the 30 s default
  }, 5_000);

  it('stops at once with the reason when the caller aborts', async () => {
    server = await startServer(() => {});
    client = new HttpClient({ baseUrl: server.url });
    const controller = new AbortController();
    const reason = new Error('SIGTERM');
    setTimeout(() => controller.abort(reason), 50);
    const started = performance.now();
    await expect(client.get('/x', { signal: controller.signal })).rejects.toBe(reason);
    expect(performance.now() - started).toBeLessThan(1_000);
  });
});
