// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${VAR} placeholders are the config syntax under test
import { randomBytes } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startFaultServer } from '@tempered/testkit';
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
import { relay } from './relay.js';

if (skipRegistry) console.warn(NO_REGISTRY);

const USER = 'ci';
const PASSWORD = 'pw-7f3c1e9a-never-printed';
const BASIC = `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`;

/** Every file under a directory, as text: secrets must appear in none of them. */
async function allText(dir: string): Promise<string> {
  let out = '';
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) out += await readFile(join(entry.parentPath, entry.name), 'utf8');
  }
  return out;
}

describe.skipIf(skipRegistry)('registry auth: basic (htpasswd) and the bearer-token challenge', () => {
  let registry: TestRegistry;

  beforeAll(async () => {
    registry = await startRegistry({ htpasswd: `${USER}:${bcrypt.hashSync(PASSWORD, 4)}\n` });
  });
  afterAll(async () => {
    await registry?.stop();
  });

  it('basic auth against the real registry: deletes with the credentials, exit 1 without; the password is never printed', async () => {
    // Prepare
    const { url } = registry;
    await pushImage(url, 'a1/x', { tags: ['ci-1'], created: daysAgo(10), authorization: BASIC });
    await pushImage(url, 'a1/x', { tags: ['ci-2'], created: daysAgo(1), authorization: BASIC });
    const ws = await workspace();
    const anonymous = await registryConfig(ws, { url, repositories: ['a1/x'], olderThan: '7d' });

    // Act 1: no credentials
    const refused = await ws.run(['plan', '--config', anonymous]);

    // Assess 1
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('the registry asks for credentials (basic auth) and the rule has none');

    // Act 2: credentials from the environment
    const config = await registryConfig(ws, {
      url,
      repositories: ['a1/x'],
      olderThan: '7d',
      auth: { username: USER, password: '${REGISTRY_PASSWORD}' },
    });
    const run = await ws.run(['run', '--config', config, '--yes', '--log-level', 'trace'], {
      env: { REGISTRY_PASSWORD: PASSWORD },
    });

    // Assess 2
    expect(run.code, run.stderr).toBe(0);
    expect(await tagsOf(url, 'a1/x', BASIC)).toEqual(['ci-2']);
    const everything = run.stdout + run.stderr + (await allText(ws.stateHome));
    expect(everything).not.toContain(PASSWORD);
    expect(everything).not.toContain(BASIC.slice('Basic '.length));
  });

  it('bearer challenge: token from the realm (with basic credentials) per scope, pull and delete', async () => {
    // Prepare: a gate in front of the registry that wants bearer tokens from its own token server
    const { url } = registry;
    await pushImage(url, 'a2/x', { tags: ['ci-1'], created: daysAgo(10), authorization: BASIC });
    await pushImage(url, 'a2/x', { tags: ['latest'], created: daysAgo(20), authorization: BASIC });
    const tokens = new Map<string, string[]>();
    const tokenRequests: { authorization: string | undefined; scopes: string[] }[] = [];
    const needed = (method: string, pathname: string): string | undefined => {
      const repo = /^\/v2\/(.+)\/(manifests|blobs|tags)\//.exec(pathname)?.[1];
      if (pathname === '/v2/_catalog') return 'registry:catalog:*';
      if (!repo) return undefined;
      return `repository:${repo}:${method === 'DELETE' ? 'delete' : 'pull'}`;
    };
    const forward = relay(url, { headers: (headers) => ({ ...headers, authorization: BASIC }) });
    const gate = await startFaultServer([], {
      fallback: (req) => {
        if (req.path === '/token') {
          const query = new URL(req.url, 'http://gate').searchParams;
          const scopes = query.getAll('scope');
          tokenRequests.push({ authorization: req.headers.authorization, scopes });
          if (req.headers.authorization !== BASIC) return { status: 401 };
          const token = randomBytes(16).toString('hex');
          tokens.set(token, scopes);
          return {
            status: 200,
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ token, expires_in: 300 }),
          };
        }
        const scope = needed(req.method, req.path);
        const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
        const granted = token === undefined ? undefined : tokens.get(token);
        if (granted && (scope === undefined || granted.includes(scope))) return forward(req);
        const params = [`realm="${gate.url}/token"`, 'service="tempered-test"'];
        if (scope) params.push(`scope="${scope}"`);
        return { status: 401, headers: { 'www-authenticate': `Bearer ${params.join(',')}` } };
      },
    });
    const ws = await workspace();
    const config = await registryConfig(ws, {
      url: gate.url,
      repositories: ['a2/x'],
      olderThan: '7d',
      protectTags: ['^latest$'],
      auth: { username: USER, password: '${REGISTRY_PASSWORD}' },
    });

    // Act
    const run = await ws.run(['run', '--config', config, '--yes'], {
      env: { REGISTRY_PASSWORD: PASSWORD },
    });

    // Assess: one token per scope, each asked for with the basic credentials; the delete went through
    expect(run.code, run.stderr).toBe(0);
    expect(await tagsOf(url, 'a2/x', BASIC)).toEqual(['latest']);
    expect(tokenRequests.every((r) => r.authorization === BASIC)).toBe(true);
    expect(tokenRequests.map((r) => r.scopes.join(' ')).sort()).toEqual(
      ['', 'repository:a2/x:delete', 'repository:a2/x:pull'].sort(),
    );
    const everything = run.stdout + run.stderr + (await allText(ws.stateHome));
    for (const token of tokens.keys()) expect(everything).not.toContain(token);
    expect(everything).not.toContain(PASSWORD);
  });
});
