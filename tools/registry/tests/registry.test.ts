import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  cleanEnv,
  exec,
  execOk,
  findWorkspaceRoot,
  pnpmCommand,
  type Registry,
  startRegistry,
} from '../src/index.js';

const GUARD = fileURLToPath(new URL('../bin/check-publish-registry.js', import.meta.url));
const ROOT = findWorkspaceRoot(fileURLToPath(import.meta.url));

/** npm and pnpm with nothing of the developer's config: only the given userconfig and a temp cache. */
function npmEnv(tmp: string, userconfig: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return cleanEnv({ npm_config_userconfig: userconfig, npm_config_cache: join(tmp, 'npm-cache'), ...extra });
}

/** A tiny package whose prepublishOnly is the publish guard, as in every published package. */
async function probePackage(dir: string, name: string, version: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  await writeFile(
    join(dir, 'package.json'),
    JSON.stringify({
      name,
      version,
      bin: { 'tempered-probe': './probe.js' },
      files: ['probe.js'],
      scripts: { prepublishOnly: `node ${GUARD}` },
    }),
  );
  await writeFile(join(dir, 'probe.js'), `#!/usr/bin/env node\nconsole.log('probe ${version}');\n`, {
    mode: 0o755,
  });
  return dir;
}

describe('tools/registry: a local private registry', () => {
  let tmp: string;
  let registry: Registry;
  let userconfig: string;

  beforeAll(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'tempered-registry-test-'));
    // no upstream: these tests never leave the machine
    registry = await startRegistry({ upstream: false });
    userconfig = await registry.writeNpmrc(join(tmp, 'npmrc'));
  });

  afterAll(async () => {
    await registry?.stop();
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  it('listens on 127.0.0.1 on a free port, and a second one gets another port', async () => {
    expect(registry.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const second = await startRegistry({ upstream: false });
    try {
      expect(second.url).not.toBe(registry.url);
      expect(second.dir).not.toBe(registry.dir);
    } finally {
      await second.stop();
    }
    expect(existsSync(second.dir)).toBe(false);
    expect(() => process.kill(second.pid, 0)).toThrow();
  });

  it('writes an .npmrc that maps @tempered to it with a placeholder token', async () => {
    const text = await readFile(userconfig, 'utf8');
    const host = registry.url.replace(/^http:/, '');
    expect(text).toBe(
      `@tempered:registry=${registry.url}\nregistry=${registry.url}\n${host}:_authToken=tempered-local-registry\n`,
    );
  });

  it('takes an anonymous npm publish of @tempered/*, and serves it to npm i -g', async () => {
    const dir = await probePackage(join(tmp, 'npm-probe'), '@tempered/probe-npm', '1.0.0');
    const env = npmEnv(tmp, userconfig, { TEMPERED_REGISTRY: registry.url });
    const published = await execOk('npm', ['publish'], { cwd: dir, env });
    expect(published.stderr).toContain(
      `publish registry checked (@tempered/probe-npm@1.0.0): ${registry.url}`,
    );

    const prefix = join(tmp, 'prefix');
    await execOk('npm', ['i', '-g', '--prefix', prefix, '@tempered/probe-npm'], { env });
    const run = await execOk(join(prefix, 'bin', 'tempered-probe'), []);
    expect(run.stdout).toBe('probe 1.0.0\n');
  });

  it('refuses a publish outside the scope (only @tempered/* is publishable)', async () => {
    const dir = await probePackage(join(tmp, 'unscoped'), 'tempered-unscoped-probe', '1.0.0');
    await writeFile(
      join(dir, 'package.json'),
      JSON.stringify({ name: 'tempered-unscoped-probe', version: '1.0.0', files: ['probe.js'] }),
    );
    const result = await exec('npm', ['publish'], { cwd: dir, env: npmEnv(tmp, userconfig) });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/E401|E403|unauthorized|forbidden/i);
  });

  it('pnpm publish: the guard lets the mapped private registry through', async () => {
    const pnpm = await pnpmCommand(ROOT);
    const dir = await probePackage(join(tmp, 'pnpm-probe'), '@tempered/probe-pnpm', '1.0.0');
    const env = npmEnv(tmp, userconfig, { TEMPERED_REGISTRY: registry.url });
    const result = await execOk(pnpm, ['publish', '--no-git-checks'], { cwd: dir, env });
    expect(result.stdout + result.stderr).toContain(`Publishing to ${registry.url}`);
    const view = await execOk('npm', ['view', '@tempered/probe-pnpm', 'version'], { env });
    expect(view.stdout.trim()).toBe('1.0.0');
  });

  it('pnpm publish: the guard refuses, before any upload, when @tempered is not mapped to a private registry', async () => {
    const pnpm = await pnpmCommand(ROOT);
    const dir = await probePackage(join(tmp, 'refused'), '@tempered/probe-refused', '1.0.0');
    // an .npmrc with the token but no scope mapping: the default registry is the public one
    const bare = join(tmp, 'npmrc-bare');
    await writeFile(bare, `${registry.url.replace(/^http:/, '')}:_authToken=tempered-local-registry\n`);

    const unmapped = await exec(pnpm, ['publish', '--no-git-checks'], {
      cwd: dir,
      env: npmEnv(tmp, bare),
    });
    expect(unmapped.code).not.toBe(0);
    expect(unmapped.stdout + unmapped.stderr).toContain(
      'publish refused (@tempered/probe-refused@1.0.0): no private registry is configured for @tempered, so this would publish to https://registry.npmjs.org/',
    );

    // --registry to the right place but TEMPERED_REGISTRY names another: refused too
    const mismatch = await exec(pnpm, ['publish', '--no-git-checks', '--registry', registry.url], {
      cwd: dir,
      env: npmEnv(tmp, bare, { TEMPERED_REGISTRY: 'https://npm.example.com/' }),
    });
    expect(mismatch.code).not.toBe(0);
    expect(mismatch.stdout + mismatch.stderr).toContain(
      `this publish would go to ${registry.url}, not the configured private registry https://npm.example.com/`,
    );

    const view = await exec('npm', ['view', '@tempered/probe-refused', 'version'], {
      env: npmEnv(tmp, userconfig),
    });
    expect(view.code).not.toBe(0);
    expect(view.stderr).toContain('E404');
  });
});

/**
 * A minimal upstream npm registry on 127.0.0.1 serving one unscoped package's metadata: the proxy
 * is tested against a server this test starts, not against the public registry's mood.
 */
async function startUpstream(
  name: string,
  version: string,
): Promise<{ url: string; requests: string[]; close(): Promise<void> }> {
  const requests: string[] = [];
  const server = createServer((request, response) => {
    requests.push(`${request.method} ${request.url}`);
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    if (request.method === 'GET' && request.url === `/${name}`) {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(
        JSON.stringify({
          name,
          'dist-tags': { latest: version },
          versions: {
            [version]: {
              name,
              version,
              dist: {
                tarball: `${base}/${name}/-/${name}-${version}.tgz`,
                shasum: '0000000000000000000000000000000000000000',
              },
            },
          },
        }),
      );
      return;
    }
    response.writeHead(404, { 'content-type': 'application/json' });
    response.end('{"error":"not found"}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

describe('tools/registry: proxying to an upstream registry', () => {
  let registry: Registry;
  let upstream: Awaited<ReturnType<typeof startUpstream>>;
  let tmp: string;

  beforeAll(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'tempered-registry-proxy-'));
    upstream = await startUpstream('tempered-upstream-probe', '3.1.4');
    registry = await startRegistry({ upstream: upstream.url });
  });

  afterAll(async () => {
    await registry?.stop();
    await upstream?.close();
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  it('serves packages outside the scope from its upstream, read-only; never asks it for the scope', async () => {
    const userconfig = await registry.writeNpmrc(join(tmp, 'npmrc'));
    const view = await execOk('npm', ['view', 'tempered-upstream-probe@3.1.4', 'version'], {
      env: npmEnv(tmp, userconfig),
      timeoutMs: 120_000,
    });
    expect(view.stdout.trim()).toBe('3.1.4');
    expect(upstream.requests).toContain('GET /tempered-upstream-probe');

    const scoped = await exec('npm', ['view', '@tempered/not-published-anywhere', 'version'], {
      env: npmEnv(tmp, userconfig),
    });
    expect(scoped.code).not.toBe(0);
    expect(upstream.requests.some((line) => line.includes('not-published-anywhere'))).toBe(false);
  });
});
