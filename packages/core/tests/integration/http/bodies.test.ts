import { randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { PermanentError } from '../../../src/errors/index.js';
import { HttpClient } from '../../../src/http/index.js';
import { RunCounters } from '../../../src/metrics/index.js';
import { captureLogs } from '../../unit/retry/logCapture.js';
import { caught, startServer, type TestServer } from './testServer.js';

const MiB = 1024 * 1024;

let server: TestServer | undefined;
let client: HttpClient | undefined;

afterEach(async () => {
  await client?.close();
  await server?.close();
  client = undefined;
  server = undefined;
});

interface Flood {
  /** Bytes written into the connection before it closed (or all of them). */
  sent: number;
  /** The whole body went out. */
  finished: boolean;
  /** Resolves when the connection is closed, either way. */
  closed: Promise<void>;
}

/** Streams `total` bytes with backpressure (chunked unless `headers` say otherwise), until the client hangs up. */
function flood(res: ServerResponse, total: number, headers: Record<string, string> = {}): Flood {
  const state = { sent: 0, finished: false } as Flood;
  let open = true;
  state.closed = new Promise((resolve) =>
    res.on('close', () => {
      open = false;
      resolve();
    }),
  );
  const chunk = Buffer.alloc(64 * 1024, 0x61);
  res.writeHead(200, { 'content-type': 'application/octet-stream', ...headers });
  const pump = () => {
    while (open && state.sent < total) {
      state.sent += chunk.length;
      if (!res.write(chunk)) return void res.once('drain', pump);
    }
    if (open) {
      state.finished = true;
      res.end();
    }
  };
  pump();
  return state;
}

describe('HttpClient against a real server: capped bodies (maxBodyBytes)', () => {
  it('cuts a chunked body off past the cap: the server sees the connection closed long before its end; not retried', async () => {
    // Prepare: 256 MiB without Content-Length, a 1 MiB cap
    const floods: Flood[] = [];
    server = await startServer((_req, res) => void floods.push(flood(res, 256 * MiB)));
    const logs = captureLogs('debug');
    const counters = new RunCounters();
    client = new HttpClient({ logger: logs.logger, counters, retry: { baseDelayMs: 1, maxDelayMs: 2 } });

    // Act
    const error = await caught(
      client.get(`${server.url}/v2/app/web/manifests/latest?token=s3cret`, {
        responseType: 'buffer',
        maxBodyBytes: MiB,
        bodyLabel: 'manifest app/web@latest (maxManifestBytes)',
      }),
    );

    // Assess: one line naming the redacted URL, the body and the limit; a PermanentError
    expect(error).toBeInstanceOf(PermanentError);
    expect((error as Error).message).toMatch(
      /^GET http:\/\/127\.0\.0\.1:\d+\/v2\/app\/web\/manifests\/latest\?token=[^ ]+: the manifest app\/web@latest \(maxManifestBytes\) is larger than 1 MiB; refused$/,
    );
    expect((error as Error).message).not.toContain('s3cret');
    await floods[0]!.closed;
    expect(floods[0]!.finished).toBe(false);
    // what the sockets buffered aside, not 256 MiB
    expect(floods[0]!.sent).toBeLessThan(32 * MiB);
    // not retried: one request, no retry line
    expect(server.received).toHaveLength(1);
    expect(counters.get('http_requests')).toBe(1);
    expect(logs.records().filter((r) => r.msg === 'retrying')).toEqual([]);
  });

  it('refuses a Content-Length over the cap before reading the body; not retried', async () => {
    // Prepare: 2 MiB announced, 16 bytes sent, then the server holds the rest back
    let held: ServerResponse | undefined;
    server = await startServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(2 * MiB) });
      res.write('{"padding":"....');
      held = res;
    });
    const counters = new RunCounters();
    client = new HttpClient({ counters, bodyTimeoutMs: 20_000, retry: { baseDelayMs: 1, maxDelayMs: 2 } });
    const started = performance.now();

    // Act
    const error = await caught(client.get(`${server.url}/page`, { maxBodyBytes: MiB }));

    // Assess: refused at once (a client reading the body would wait for the rest), default label
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(error).toBeInstanceOf(PermanentError);
    expect((error as Error).message).toBe(
      `GET ${server.url}/page: the response body is larger than 1 MiB; refused`,
    );
    expect((error as PermanentError).hint).toContain('maxBodyBytes');
    await new Promise<void>((resolve) => (held!.destroyed ? resolve() : held!.on('close', () => resolve())));
    expect(server.received).toHaveLength(1);
    expect(counters.get('http_requests')).toBe(1);
  });

  it('returns a body under the cap intact, chunked or with Content-Length, and one exactly at the cap', async () => {
    // Prepare
    const bytes = randomBytes(MiB - 1);
    server = await startServer((req, res) => {
      if (req.url === '/json')
        return void res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
      const headers: Record<string, string> =
        req.url === '/declared' ? { 'content-length': String(bytes.length) } : {};
      res.writeHead(200, { 'content-type': 'application/octet-stream', ...headers });
      // several writes: the body arrives in many chunks
      for (let at = 0; at < bytes.length; at += 100_000) res.write(bytes.subarray(at, at + 100_000));
      res.end();
    });
    client = new HttpClient({ maxBodyBytes: MiB - 1 });

    // Act
    const chunked = await client.get<Buffer>(`${server.url}/chunked`, { responseType: 'buffer' });
    const declared = await client.get<Buffer>(`${server.url}/declared`, { responseType: 'buffer' });
    const parsed = await client.get(`${server.url}/json`);

    // Assess
    expect(chunked.body.equals(bytes)).toBe(true);
    expect(declared.body.equals(bytes)).toBe(true);
    expect(parsed.body).toEqual({ ok: true });
  });

  it("a request's maxBodyBytes overrides the client's; readBodyOn '2xx' leaves an expected 404 unread", async () => {
    // Prepare
    server = await startServer((req, res) => {
      res.writeHead(req.url === '/missing' ? 404 : 200, { 'content-type': 'text/plain' });
      res.end('x'.repeat(4096));
    });
    client = new HttpClient({ maxBodyBytes: 1024 });

    // Act
    const refused = await caught(client.get(`${server.url}/small`, { responseType: 'text' }));
    const allowed = await client.get<string>(`${server.url}/small`, {
      responseType: 'text',
      maxBodyBytes: 8192,
    });
    const missing = await client.get(`${server.url}/missing`, {
      responseType: 'buffer',
      expect: [200, 404],
      readBodyOn: '2xx',
    });

    // Assess
    expect((refused as Error).message).toContain('is larger than 1 KiB; refused');
    expect(allowed.body).toHaveLength(4 * 1024);
    expect(missing).toMatchObject({ status: 404, body: undefined });
  });
});
