import { afterEach, describe, expect, it } from 'vitest';
import { HttpClient } from '../../../src/http/index.js';
import { RunCounters } from '../../../src/metrics/index.js';
import { captureLogs } from '../../unit/retry/logCapture.js';
import { json, startServer, type TestServer } from './testServer.js';

let server: TestServer | undefined;
let client: HttpClient | undefined;

afterEach(async () => {
  await client?.close();
  await server?.close();
  client = undefined;
  server = undefined;
});

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('HttpClient against a real server: what goes on the wire', () => {
  it('sends X-Request-Id and logs it with method, url, status, duration and attempt', async () => {
    server = await startServer((_req, res) => json(res, 200, { ok: true }));
    const logs = captureLogs('debug');
    client = new HttpClient({ baseUrl: `${server.url}/api/v1`, logger: logs.logger });
    const response = await client.get('/items', { query: { page: 2, tag: ['a b', 'c'] } });
    const sent = server.received[0]!;
    expect(sent.url).toBe('/api/v1/items?page=2&tag=a+b&tag=c');
    expect(sent.headers['x-request-id']).toBe(response.requestId);
    expect(response.requestId).toMatch(UUID);
    expect(sent.headers['user-agent']).toMatch(/^tempered\/\d+\.\d+\.\d+/);
    expect(sent.headers.accept).toBe('application/json');
    const line = logs.records().find((r) => r.msg === 'http request');
    expect(line).toMatchObject({
      level: 20,
      request_id: response.requestId,
      method: 'GET',
      url: `${server.url}/api/v1/items?page=2&tag=a+b&tag=c`,
      status: 200,
      attempt: 1,
    });
    expect(typeof line?.duration_ms).toBe('number');
  });

  it('keeps a caller-given X-Request-Id', async () => {
    server = await startServer((_req, res) => json(res, 200, {}));
    client = new HttpClient({ baseUrl: server.url });
    const response = await client.get('/', { headers: { 'X-Request-Id': 'trace-123' } });
    expect(response.requestId).toBe('trace-123');
    expect(server.received[0]?.headers['x-request-id']).toBe('trace-123');
  });

  it('sends Idempotency-Key on unsafe methods when given, and never otherwise', async () => {
    server = await startServer((_req, res) => json(res, 200, {}));
    client = new HttpClient({ baseUrl: server.url });
    await client.post('/a', { n: 1 }, { idempotencyKey: 'key-post' });
    await client.post('/b', { n: 2 });
    await client.delete('/c', { idempotencyKey: 'key-delete' });
    await client.get('/d', { idempotencyKey: 'key-get' });
    const keys = server.received.map((r) => [r.method, r.headers['idempotency-key']]);
    expect(keys).toEqual([
      ['POST', 'key-post'],
      ['POST', undefined],
      ['DELETE', 'key-delete'],
      ['GET', undefined],
    ]);
    expect(server.received[0]).toMatchObject({ body: '{"n":1}' });
    expect(server.received[0]?.headers['content-type']).toBe('application/json');
  });

  it('encodes string and byte bodies and reads text, buffer, none and empty JSON responses', async () => {
    server = await startServer((req, res) => {
      if (req.url === '/empty') {
        res.writeHead(204);
        res.end();
      } else {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end(`echo:${req.body}`);
      }
    });
    client = new HttpClient({ baseUrl: server.url });
    const text = await client.put<string>('/t', 'hello', { responseType: 'text' });
    expect(text.body).toBe('echo:hello');
    expect(server.received[0]?.headers['content-type']).toBe('text/plain; charset=utf-8');
    const bytes = await client.post<Buffer>('/b', Buffer.from('raw'), { responseType: 'buffer' });
    expect(Buffer.isBuffer(bytes.body)).toBe(true);
    expect(bytes.body.toString()).toBe('echo:raw');
    expect((await client.get('/n', { responseType: 'none' })).body).toBeUndefined();
    expect((await client.head('/h')).status).toBe(200);
    expect((await client.delete('/empty')).body).toBeUndefined();
  });

  it('accepts the statuses listed in expect', async () => {
    server = await startServer((_req, res) => json(res, 404, { found: false }));
    client = new HttpClient({ baseUrl: server.url });
    const response = await client.get<{ found: boolean }>('/maybe', { expect: [200, 404] });
    expect(response).toMatchObject({ status: 404, body: { found: false } });
  });

  it('keeps at most `concurrency` requests in flight', async () => {
    server = await startServer((_req, res) => {
      setTimeout(() => json(res, 200, {}), 80);
    });
    const counters = new RunCounters();
    client = new HttpClient({ baseUrl: server.url, concurrency: 2, counters });
    const responses = await Promise.all(Array.from({ length: 6 }, (_, i) => client!.get(`/job/${i}`)));
    expect(responses.every((r) => r.status === 200)).toBe(true);
    expect(server.received).toHaveLength(6);
    expect(server.maxInFlight).toBe(2);
    expect(counters.get('http_requests')).toBe(6);
  });

  it('spaces requests by rateLimitPerSecond', async () => {
    server = await startServer((_req, res) => json(res, 200, {}));
    client = new HttpClient({ baseUrl: server.url, rateLimitPerSecond: 20 });
    // a lower bound from the start, not a spacing between arrivals: load can only delay the
    // last request, while a slow first connection would shrink the arrival spread
    const started = performance.now();
    await Promise.all(Array.from({ length: 4 }, () => client!.get('/r')));
    const last = Math.max(...server.received.map((r) => r.at));
    expect(server.received).toHaveLength(4);
    expect(last - started).toBeGreaterThanOrEqual(145);
  });
});
