import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
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

describe('tools/registry: proxying to registry.npmjs.org', () => {
  let registry: Registry;
  let tmp: string;

  beforeAll(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'tempered-registry-proxy-'));
    registry = await startRegistry();
  });

  afterAll(async () => {
    await registry?.stop();
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  it('serves packages outside the scope from the public registry, read-only', async () => {
    const userconfig = await registry.writeNpmrc(join(tmp, 'npmrc'));
    const view = await execOk('npm', ['view', 'zod@4.6.7', 'version'], {
      env: npmEnv(tmp, userconfig),
      timeoutMs: 120_000,
    });
    expect(view.stdout.trim()).toBe('4.6.7');
  });
});
