// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${VAR} placeholders are the config syntax under test
import { randomBytes } from 'node:crypto';
import { type FaultServer, type FaultStep, startFaultServer } from '@tempered/testkit';
import bcrypt from 'bcryptjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { workspace } from '../helpers.js';
import { registryConfig } from './common.js';
import {
  daysAgo,
  NO_REGISTRY,
  pushImage,
  skipRegistry,
  startRegistry,
  type TestRegistry,
  tagsOf,
} from './registry.js';
import { relay, relayNow } from './relay.js';

if (skipRegistry) console.warn(NO_REGISTRY);

const USER = 'ci';
const PASSWORD = 'pw-0b7e51d2-stays-home';
const BASIC = `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`;
const STATIC_TOKEN = 'static-9c2f4a1e-stays-home';

/** Another origin: the same loopback listener under another host name (`localhost`, not 127.0.0.1). */
function elsewhere(server: FaultServer): string {
  return `http://localhost:${server.port}`;
}

/** Every Authorization header an attacker's server was sent. */
function credentialsSeen(server: FaultServer): string[] {
  return server.received.flatMap((r) => (r.headers.authorization ? [r.headers.authorization] : []));
}

/** Two old images in a repository of the test's own. */
async function pushTwo(url: string, repository: string): Promise<void> {
  await pushImage(url, repository, { tags: ['ci-1'], created: daysAgo(10), authorization: BASIC });
  await pushImage(url, repository, { tags: ['ci-2'], created: daysAgo(9), authorization: BASIC });
}

describe.skipIf(skipRegistry)('registry credentials stay with the registry (issue 14, item 6)', () => {
  let registry: TestRegistry;

  beforeAll(async () => {
    registry = await startRegistry({ htpasswd: `${USER}:${bcrypt.hashSync(PASSWORD, 4)}\n` });
  });
  afterAll(async () => {
    await registry?.stop();
  });

  it('a bearer realm on another origin gets no basic credentials: exit 1, one line; tokenRealms allows it', async () => {
    // Prepare: a gate that wants bearer tokens and names a token server on another origin
    await pushTwo(registry.url, 'c1/x');
    const tokens = new Set<string>();
    const thief = await startFaultServer([], {
      fallback: (req) => {
        if (req.headers.authorization !== BASIC) return { status: 401 };
        const token = randomBytes(16).toString('hex');
        tokens.add(token);
        return { status: 200, body: JSON.stringify({ token, expires_in: 300 }) };
      },
    });
    const forward = relay(registry.url, { headers: (headers) => ({ ...headers, authorization: BASIC }) });
    const gate = await startFaultServer([], {
      fallback: (req) => {
        const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
        if (token !== undefined && tokens.has(token)) return forward(req);
        return {
          status: 401,
          headers: { 'www-authenticate': `Bearer realm="${elsewhere(thief)}/token",service="x"` },
        };
      },
    });
    const ws = await workspace();
    const rule = {
      url: gate.url,
      repositories: ['c1/x'],
      olderThan: '7d',
      auth: { username: USER, password: '${REGISTRY_PASSWORD}' },
    };
    const env = { env: { REGISTRY_PASSWORD: PASSWORD } };

    // Act 1
    const refused = await ws.run(['plan', '--config', await registryConfig(ws, rule)], env);

    // Assess 1: nothing reached the other origin; a clear one-line error, no stack
    expect(thief.received).toEqual([]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(
      `sends us to the token server ${elsewhere(thief)}, which the rule does not trust`,
    );
    expect(refused.stderr).not.toMatch(/\n\s+at /);
    expect(refused.stdout).toBe('');

    // Act 2: the operator says that token server is theirs
    const trusted = await registryConfig(ws, { ...rule, tokenRealms: [elsewhere(thief)] });
    const plan = await ws.run(['plan', '--config', trusted, '--json'], env);

    // Assess 2
    expect(plan.code, plan.stderr).toBe(0);
    expect(credentialsSeen(thief).every((value) => value === BASIC)).toBe(true);
    expect(credentialsSeen(thief).length).toBeGreaterThan(0);
  });

  it.each([
    ['basic credentials', { username: USER, password: '${REGISTRY_PASSWORD}' }],
    ['a static bearer token', { token: '${REGISTRY_TOKEN}' }],
  ])('a Link to another origin is refused before %s go there: exit 1', async (what, auth) => {
    // Prepare: a front that pages tags with Links to another origin
    const repository = `c2/${what.replaceAll(' ', '-')}`;
    await pushTwo(registry.url, repository);
    const thief = await startFaultServer([], { fallback: { status: 200, body: '{"tags":["evil"]}' } });
    const gate = await startFaultServer([], {
      fallback: async (req) => {
        const sent = req.headers.authorization;
        if (sent !== BASIC && sent !== `Bearer ${STATIC_TOKEN}`)
          return { status: 401, headers: { 'www-authenticate': 'Basic realm="gate"' } };
        const answer = await relayNow(registry.url, req, {
          headers: (headers) => ({ ...headers, authorization: BASIC }),
        });
        if (req.path === `/v2/${repository}/tags/list`) {
          answer.headers = {
            ...answer.headers,
            link: `<${elsewhere(thief)}/v2/${repository}/tags/list?n=1&last=ci-1>; rel="next"`,
          };
        }
        return answer;
      },
    });
    const ws = await workspace();
    const config = await registryConfig(ws, { url: gate.url, repositories: [repository], pageSize: 1, auth });

    // Act
    const run = await ws.run(['run', '--config', config, '--yes'], {
      env: { REGISTRY_PASSWORD: PASSWORD, REGISTRY_TOKEN: STATIC_TOKEN },
    });

    // Assess
    expect(thief.received).toEqual([]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`points the next page to another origin (${elsewhere(thief)}); refused`);
    expect(run.stderr).not.toMatch(/\n\s+at /);
    expect(await tagsOf(registry.url, repository, BASIC)).toEqual(['ci-1', 'ci-2']);
  });

  it('a redirect to another origin (blob storage) is followed without Authorization', async () => {
    // Prepare: config blobs are redirected to "storage" on another origin, which serves them
    await pushTwo(registry.url, 'c3/x');
    const storage = await startFaultServer([], {
      fallback: relay(registry.url, { headers: (h) => ({ ...h, authorization: BASIC }) }),
    });
    const gate = await startFaultServer([], {
      fallback: (req): FaultStep | Promise<FaultStep> => {
        if (req.headers.authorization !== BASIC)
          return { status: 401, headers: { 'www-authenticate': 'Basic realm="gate"' } };
        if (req.method === 'GET' && /\/blobs\//.test(req.path))
          return { status: 307, headers: { location: `${elsewhere(storage)}${req.url}` } };
        return relayNow(registry.url, req);
      },
    });
    const ws = await workspace();
    const config = await registryConfig(ws, {
      url: gate.url,
      repositories: ['c3/x'],
      olderThan: '7d',
      auth: { username: USER, password: '${REGISTRY_PASSWORD}' },
    });

    // Act
    const plan = await ws.run(['plan', '--config', config, '--json'], {
      env: { REGISTRY_PASSWORD: PASSWORD },
    });

    // Assess: the blobs came from storage, which saw no credentials; the images were dated from them
    expect(plan.code, plan.stderr).toBe(0);
    expect(storage.received.length).toBeGreaterThan(0);
    expect(credentialsSeen(storage)).toEqual([]);
    expect(plan.stdout).toContain('age 10d');
  });
});
