import { type IncomingHttpHeaders, request } from 'node:http';
import { describe, expect, it } from 'vitest';
import { deadUrl, startFaultServer, startRecordingServer } from '../src/index.js';

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
  /** ms from the request's start to its headers, and to the body's end. */
  headersMs: number;
  endMs: number;
}

/** A real client: one node:http request on a fresh connection, rejecting on a socket error or after `timeoutMs`. */
function send(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: string; timeoutMs?: number } = {},
): Promise<Answer> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: options.method ?? 'GET', headers: options.headers, agent: false },
      (res) => {
        const headersMs = performance.now() - started;
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          body += chunk;
        });
        res.on('error', reject);
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body,
            headersMs,
            endMs: performance.now() - started,
          }),
        );
      },
    );
    req.setTimeout(options.timeoutMs ?? 10_000, () => req.destroy(new Error('client timeout')));
    req.on('error', reject);
    req.end(options.body);
  });
}

describe('startFaultServer', () => {
  it('answers the script step by step, then the fallback, and records every request', async () => {
    const server = await startFaultServer([
      { status: 503, headers: { 'retry-after': '1' }, body: 'busy' },
      { status: 201, body: 'made' },
    ]);

    const first = await send(`${server.url}/items?try=1`, {
      method: 'POST',
      headers: { 'x-attempt': '1' },
      body: '{"a":1}',
    });
    const second = await send(`${server.url}/items?try=2`, { method: 'POST', headers: { 'x-attempt': '2' } });
    const third = await send(`${server.url}/other`);

    expect([first.status, first.headers['retry-after'], first.body]).toEqual([503, '1', 'busy']);
    expect([second.status, second.body]).toEqual([201, 'made']);
    expect([third.status, third.body]).toEqual([200, '']);
    expect(server.count).toBe(3);
    expect(server.script).toEqual([]);
    expect(
      server.received.map((r) => [r.index, r.method, r.path, r.url, r.headers['x-attempt'], r.body]),
    ).toEqual([
      [0, 'POST', '/items', '/items?try=1', '1', '{"a":1}'],
      [1, 'POST', '/items', '/items?try=2', '2', ''],
      [2, 'GET', '/other', '/other', undefined, ''],
    ]);
  });

  it('{reset: true} destroys the connection: the client sees ECONNRESET', async () => {
    const server = await startFaultServer([{ reset: true }]);

    const reset = await send(server.url).catch((error: NodeJS.ErrnoException) => error);
    const after = await send(server.url);

    expect(reset).toBeInstanceOf(Error);
    expect((reset as NodeJS.ErrnoException).code).toBe('ECONNRESET');
    expect(after.status).toBe(200);
    expect(server.count).toBe(2);
  });

  it('{stallMs} holds the answer: a client with a shorter timeout gives up, a patient one gets it late', async () => {
    const server = await startFaultServer([{ stallMs: 30_000 }, { stallMs: 300, status: 204 }]);

    const impatient = await send(server.url, { timeoutMs: 100 }).catch((error: Error) => error);
    const patient = await send(server.url);

    expect(impatient).toBeInstanceOf(Error);
    expect((impatient as Error).message).toBe('client timeout');
    expect(patient.status).toBe(204);
    expect(patient.headersMs).toBeGreaterThanOrEqual(290);
    expect(server.count).toBe(2);
    // close() does not wait for the 30 s stall
    const closing = performance.now();
    await server.close();
    expect(performance.now() - closing).toBeLessThan(1_000);
  });

  it('{slowBodyMs} sends the headers at once and dribbles the body out', async () => {
    const server = await startFaultServer([{ status: 200, body: 'abcdefghij', slowBodyMs: 500 }]);

    const answer = await send(server.url);

    expect(answer.body).toBe('abcdefghij');
    expect(answer.headers['content-length']).toBe('10');
    // the body is still dribbling for most of the 500 ms after the headers arrived; lower bounds
    // only, since a loaded machine can make anything later but nothing earlier
    expect(answer.endMs - answer.headersMs).toBeGreaterThanOrEqual(400);
    expect(answer.endMs).toBeGreaterThanOrEqual(480);
  });

  it('falls through to a proxied target, forwarding method, path, headers and body', async () => {
    const target = await startRecordingServer(202);
    const server = await startFaultServer([{ status: 503 }, { reset: true }], { target: target.url });

    const refused = await send(`${server.url}/hook`, { method: 'PUT', body: 'x' });
    const reset = await send(`${server.url}/hook`, { method: 'PUT', body: 'x' }).catch(
      (error: Error) => error,
    );
    const proxied = await send(`${server.url}/hook?q=1`, {
      method: 'PUT',
      headers: { 'x-request-id': 'r-3' },
      body: 'payload',
    });

    expect(refused.status).toBe(503);
    expect(reset).toBeInstanceOf(Error);
    expect([proxied.status, proxied.body, proxied.headers['content-type']]).toEqual([
      202,
      'OK',
      'text/plain',
    ]);
    expect(server.count).toBe(3);
    expect(target.count).toBe(1);
    expect(target.received[0]).toMatchObject({ method: 'PUT', url: '/hook?q=1', body: 'payload' });
    expect(target.received[0]?.headers['x-request-id']).toBe('r-3');
  });

  it('answers 502 when the proxied target cannot be reached', async () => {
    const server = await startFaultServer([], { target: await deadUrl() });

    const answer = await send(`${server.url}/x`);

    expect(answer.status).toBe(502);
    expect(answer.body).toMatch(/^fault server: http:\/\/127\.0\.0\.1:\d+: connect ECONNREFUSED/);
  });

  it('takes a fallback handler, and a new fallback or more script steps between runs', async () => {
    const server = await startFaultServer([], {
      fallback: (req) => ({ status: req.path === '/ok' ? 200 : 404, body: req.method }),
    });

    const ok = await send(`${server.url}/ok`);
    const missing = await send(`${server.url}/nope`);
    server.fallback = { status: 500 };
    server.script.push({ status: 429, headers: { 'retry-after': '0' } });
    const limited = await send(`${server.url}/ok`);
    const failed = await send(`${server.url}/ok`);

    expect([ok.status, ok.body, missing.status]).toEqual([200, 'GET', 404]);
    expect([limited.status, limited.headers['retry-after'], failed.status]).toEqual([429, '0', 500]);
    expect(server.count).toBe(4);
  });
});

describe('startRecordingServer', () => {
  it('answers every request with its status and text OK, and records it', async () => {
    const server = await startRecordingServer(503);

    const answer = await send(`${server.url}/hc/start`, { method: 'POST', body: 'ping' });

    expect([answer.status, answer.body]).toEqual([503, 'OK']);
    expect(server.received.map((r) => `${r.method} ${r.url} ${r.body}`)).toEqual(['POST /hc/start ping']);
  });
});
