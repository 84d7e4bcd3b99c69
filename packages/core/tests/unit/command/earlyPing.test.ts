import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findPingUrl, flagValue } from '../../../src/command/earlyPing.js';
import { closingPing } from '../../../src/command/reportRun.js';

describe('closingPing', () => {
  const started = { dryRun: false, heartbeatStarted: true };
  const notStarted = { dryRun: false, heartbeatStarted: false };

  it('ends a started run with its exit code, and a temporary failure with /log', () => {
    expect([0, 1, 3, 130].map((code) => closingPing(code, started))).toEqual([0, 1, 3, 130]);
    expect(closingPing(75, started)).toBe('log');
    expect(closingPing(75, notStarted)).toBe('log');
  });

  it('pings a run refused before it started, but not an interrupt or a dry-run', () => {
    expect(closingPing(2, notStarted)).toBe(2);
    expect(closingPing(130, notStarted)).toBeUndefined();
    expect(closingPing(143, notStarted)).toBeUndefined();
    expect(closingPing(2, { dryRun: true, heartbeatStarted: false })).toBeUndefined();
    expect(closingPing(75, { dryRun: true, heartbeatStarted: false })).toBeUndefined();
  });
});

describe('flagValue', () => {
  it('reads --name value, --name=value and -evalue; nothing after --', () => {
    expect(flagValue(['src', '--config', 'a.yml'], ['--config'])).toBe('a.yml');
    expect(flagValue(['--config=b.yml'], ['--config'])).toBe('b.yml');
    expect(flagValue(['-e', 'prod'], ['--environment', '-e'])).toBe('prod');
    expect(flagValue(['-eprod'], ['--environment', '-e'])).toBe('prod');
    expect(flagValue(['--environment=staging'], ['--environment', '-e'])).toBe('staging');
    expect(flagValue(['--', '--config', 'x'], ['--config'])).toBeUndefined();
    expect(flagValue(['--dry-run'], ['--dry-run'])).toBe('');
    expect(flagValue(['--dry-runner'], ['--dry-run'])).toBeUndefined();
  });
});

describe('findPingUrl', () => {
  async function dir() {
    return mkdtemp(join(tmpdir(), 'early-ping-'));
  }

  it('reads ping from the selected environment, else the top level, with placeholders resolved', async () => {
    const cwd = await dir();
    const config = join(cwd, 'tempered.json');
    await writeFile(
      config,
      JSON.stringify({
        // biome-ignore lint/suspicious/noTemplateCurlyInString: a config placeholder, interpolated by core
        ping: 'https://hc.example/${HC_KEY}/top',
        defaultEnvironment: 'staging',
        environments: {
          staging: {},
          prod: { ping: 'https://hc.example/prod', 'file-sync': { concurrency: 'x' } },
        },
      }),
    );
    const env = { HC_KEY: 'k1', HOME: cwd };
    expect(await findPingUrl({ argv: [], env, cwd })).toBe('https://hc.example/k1/top');
    expect(await findPingUrl({ argv: ['-e', 'prod'], env, cwd })).toBe('https://hc.example/prod');
    expect(await findPingUrl({ argv: [], env: { ...env, TEMPERED_ENVIRONMENT: 'prod' }, cwd })).toBe(
      'https://hc.example/prod',
    );
    expect(
      await findPingUrl({ argv: [], env: { ...env, TEMPERED_PING: 'https://hc.example/env' }, cwd }),
    ).toBe('https://hc.example/env');
  });

  it('follows --config and TEMPERED_CONFIG, and finds nothing without a config', async () => {
    const cwd = await dir();
    const other = join(await dir(), 'jobs.yml');
    await writeFile(other, 'ping: http://127.0.0.1:9/hc\n');
    expect(await findPingUrl({ argv: ['--config', other], env: { HOME: cwd }, cwd })).toBe(
      'http://127.0.0.1:9/hc',
    );
    expect(await findPingUrl({ argv: [], env: { HOME: cwd, TEMPERED_CONFIG: other }, cwd })).toBe(
      'http://127.0.0.1:9/hc',
    );
    expect(await findPingUrl({ argv: [], env: { HOME: cwd, XDG_CONFIG_HOME: cwd }, cwd })).toBeUndefined();
  });

  it('ignores a ping that is not an http(s) URL', async () => {
    const cwd = await dir();
    await writeFile(join(cwd, 'tempered.json'), JSON.stringify({ ping: 'file:///etc/passwd' }));
    expect(await findPingUrl({ argv: [], env: { HOME: cwd }, cwd })).toBeUndefined();
  });
});
