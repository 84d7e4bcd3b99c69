import { describe, expect, it } from 'vitest';
import { resolveDeployConfig } from '../../src/section.js';

describe('Function: resolveDeployConfig', () => {
  it('applies the defaults and resolves a relative target against the config file', () => {
    const config = resolveDeployConfig(
      {
        target: { path: 'target' },
        healthcheck: { url: 'http://127.0.0.1:8080/healthz' },
        hooks: { afterSwitch: ['x'] },
      },
      { environment: 'staging', configFile: '/etc/tempered/tempered.yml' },
    );
    expect(config).toEqual({
      target: { type: 'local', path: '/etc/tempered/target' },
      rollout: { strategy: 'parallel', concurrency: 10, batch: 1, canary: undefined },
      keepReleases: 5,
      keepSpecialBits: false,
      artifactLimits: {
        maxBytes: 4 * 1024 ** 3,
        maxEntries: 500_000,
        maxRatio: 100,
        minFreeSpace: 64 * 1024 ** 2,
      },
      shared: [],
      hooks: { beforeSwitch: [], afterSwitch: [{ run: 'x', timeoutMs: 300_000 }] },
      healthcheck: {
        url: 'http://127.0.0.1:8080/healthz',
        timeoutMs: 30_000,
        intervalMs: 1000,
        expectStatus: 200,
      },
    });
  });

  it('reads durations, per-hook timeouts and numbers from interpolated strings', () => {
    const config = resolveDeployConfig(
      {
        target: { path: '/srv/app' },
        keepReleases: '3',
        hookTimeout: '10s',
        hooks: { beforeSwitch: ['a', { run: 'b', timeout: '2m' }] },
        healthcheck: { url: 'https://app/healthz', timeout: '5s', interval: '250ms', expectStatus: '204' },
      },
      { environment: 'x', configFile: undefined },
    );
    expect(config.keepReleases).toBe(3);
    expect(config.hooks.beforeSwitch).toEqual([
      { run: 'a', timeoutMs: 10_000 },
      { run: 'b', timeoutMs: 120_000 },
    ]);
    expect(config.healthcheck).toMatchObject({ timeoutMs: 5000, intervalMs: 250, expectStatus: 204 });
  });

  it('reads artifact limits: sizes with binary units, numbers from strings, unset keys at their default', () => {
    const limits = (artifactLimits: unknown) =>
      resolveDeployConfig(
        { target: { path: '/x' }, artifactLimits },
        { environment: 'x', configFile: undefined },
      ).artifactLimits;
    expect(limits({ maxBytes: '512MiB', maxEntries: '1000', minFreeSpace: 0 })).toEqual({
      maxBytes: 512 * 1024 ** 2,
      maxEntries: 1000,
      maxRatio: 100,
      minFreeSpace: 0,
    });
    expect(limits({ maxBytes: '8 GiB', maxRatio: 1000 })).toMatchObject({
      maxBytes: 8 * 1024 ** 3,
      maxRatio: 1000,
    });
    expect(() => limits({ maxBytes: '4GB' })).toThrow(/a size in bytes, or with a unit/);
    expect(() => limits({ maxRatio: 0 })).toThrow();
    expect(() => limits({ maxFiles: 3 })).toThrow();
  });

  it('needs a target, and refuses shared paths that escape', () => {
    expect(() => resolveDeployConfig({}, { environment: 'prod', configFile: undefined })).toThrow(
      /no deploy target for environment "prod"/,
    );
    expect(() =>
      resolveDeployConfig(
        { target: { path: '/x' }, shared: ['../etc'] },
        { environment: 'x', configFile: undefined },
      ),
    ).toThrow();
  });
});
