import { afterEach, describe, expect, it } from 'vitest';
import { HttpClient } from '../../../src/http/index.js';
import { captureLogs } from '../../unit/retry/logCapture.js';
import { caught, json, startServer, type TestServer } from './testServer.js';

let server: TestServer | undefined;
let client: HttpClient | undefined;

afterEach(async () => {
  await client?.close();
  await server?.close();
  client = undefined;
  server = undefined;
});

const BASIC_PASSWORD = 'planted-basic-pw-7f3a';
const URL_PASSWORD = 'planted-url-pw-91c2';
const QUERY_TOKEN = 'planted-query-token-5d8e';
const BEARER = 'planted-bearer-token-0b4f';

const b64 = (text: string) => Buffer.from(text).toString('base64');

describe('HttpClient against a real server: secrets', () => {
  it('sends basic auth, URL credentials and query tokens, and never logs or reports them', async () => {
    // Prepare: every first request fails (retry lines, error lines), then 200; /denied always 403
    server = await startServer((req, res, index) => {
      if (req.url.startsWith('/denied')) json(res, 403, {});
      else if (index % 2 === 0) json(res, 503, {});
      else json(res, 200, {});
    });
    const logs = captureLogs('trace');
    const secretClient = new HttpClient({
      baseUrl: server.url,
      auth: { username: 'ops', password: BASIC_PASSWORD },
      logger: logs.logger,
      retry: { baseDelayMs: 1 },
    });
    client = secretClient;
    const base = new URL(server.url);
    const withUserinfo = `http://deploy:${URL_PASSWORD}@${base.host}/with-userinfo?token=${QUERY_TOKEN}`;

    // Act
    await secretClient.get('/basic', { query: { token: QUERY_TOKEN } });
    await secretClient.get(withUserinfo);
    const denied = await caught(secretClient.get(`/denied?token=${QUERY_TOKEN}`));
    const bearerClient = new HttpClient({
      baseUrl: server.url,
      auth: { token: BEARER },
      logger: logs.logger,
    });
    const bearerDenied = await caught(bearerClient.get('/denied'));
    await bearerClient.close();

    // Assess: the secrets did reach the server...
    const sent = server.received;
    expect(sent[0]?.headers.authorization).toBe(`Basic ${b64(`ops:${BASIC_PASSWORD}`)}`);
    expect(sent[0]?.url).toBe(`/basic?token=${QUERY_TOKEN}`);
    expect(sent[2]?.headers.authorization).toBe(`Basic ${b64(`deploy:${URL_PASSWORD}`)}`);
    expect(sent[2]?.url).toBe(`/with-userinfo?token=${QUERY_TOKEN}`);
    expect(sent.at(-1)?.headers.authorization).toBe(`Bearer ${BEARER}`);
    // ...and nothing printed holds them, in any form
    const output = [logs.text(), String(denied), String(bearerDenied), JSON.stringify(denied)].join('\n');
    expect(logs.records().filter((r) => r.msg === 'retrying')).toHaveLength(2);
    expect(logs.records().some((r) => r.msg === 'http headers')).toBe(true);
    for (const secret of [
      BASIC_PASSWORD,
      URL_PASSWORD,
      QUERY_TOKEN,
      BEARER,
      b64(`ops:${BASIC_PASSWORD}`),
      b64(`deploy:${URL_PASSWORD}`),
    ]) {
      expect(output).not.toContain(secret);
    }
    expect(logs.text()).toContain('[REDACTED]');
  });
});
