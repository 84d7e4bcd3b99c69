import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS } from '../../../src/config/constants.js';
import { layerSettings, mergeSettings, toSettingsLayer } from '../../../src/config/mergeSettings.js';
import type { SettingsFlags } from '../../../src/config/types.js';
import { ConfigError, UsageError } from '../../../src/errors/index.js';
import { REDACTED, secrets } from '../../../src/log/redact.js';

function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected an error');
}

afterEach(() => secrets.clear());

describe('Function: mergeSettings', () => {
  it('returns the embedded defaults when nothing is said', () => {
    expect(mergeSettings()).toEqual({ logLevel: 'info', lockWaitMs: 0, retry: {} });
    expect(mergeSettings({ env: {}, flags: {} })).toEqual(DEFAULT_SETTINGS);
  });

  it('applies defaults < file < env < flags, setting by setting', () => {
    const settings = mergeSettings({
      defaults: {
        logLevel: 'debug',
        lockWaitMs: 1_000,
        stateDir: '/defaults/state',
        retry: { maxAttempts: 2 },
      },
      file: {
        logLevel: 'warn',
        lockWaitMs: 2_000,
        logFile: '/file/log',
        retry: { maxAttempts: 5, deadlineMs: 60_000 },
      },
      env: { TEMPERED_LOG_LEVEL: 'error', TEMPERED_LOCK_WAIT: '5m' },
      flags: { logLevel: 'trace', logFile: undefined, stateDir: undefined },
    });
    expect(settings).toEqual({
      logLevel: 'trace', // flag beats env, file and defaults
      lockWaitMs: 300_000, // env beats file
      logFile: '/file/log', // file beats nothing; an undefined flag does not override
      stateDir: '/defaults/state',
      retry: { maxAttempts: 5, deadlineMs: 60_000 },
    });
  });

  it('reads every TEMPERED_* settings variable and ignores empty ones', () => {
    const settings = mergeSettings({
      env: {
        TEMPERED_LOG_LEVEL: 'warn',
        TEMPERED_LOG_FILE: '/var/log/t.log',
        TEMPERED_STATE_DIR: '/var/lib/t',
        TEMPERED_LOCK_WAIT: '30s',
        TEMPERED_METRICS_FILE: '/var/lib/node_exporter/t.prom',
        TEMPERED_METRICS_DIR: '~/textfile',
        TEMPERED_PING: 'https://hc-ping.com/abc',
      },
    });
    expect(settings).toEqual({
      logLevel: 'warn',
      logFile: '/var/log/t.log',
      stateDir: '/var/lib/t',
      lockWaitMs: 30_000,
      metricsFile: '/var/lib/node_exporter/t.prom',
      metricsDir: expect.stringMatching(/^\/.*\/textfile$/), // a path setting: ~/ expanded
      ping: 'https://hc-ping.com/abc',
      retry: {},
    });
    expect(mergeSettings({ file: { logLevel: 'warn' }, env: { TEMPERED_LOG_LEVEL: '' } }).logLevel).toBe(
      'warn',
    );
  });

  it('rejects a bad TEMPERED_* value with a ConfigError naming the variable', () => {
    const error = thrown(() => mergeSettings({ env: { TEMPERED_LOG_LEVEL: 'verbose' } }));
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toBe(
      'TEMPERED_LOG_LEVEL: expected one of trace, debug, info, warn, error, fatal, silent, got "verbose"',
    );
    expect(thrown(() => mergeSettings({ env: { TEMPERED_LOCK_WAIT: 'soon' } })).message).toBe(
      'TEMPERED_LOCK_WAIT: expected a duration like 30s, 5m or 2h, or a number of milliseconds, got "soon"',
    );
    expect(thrown(() => mergeSettings({ env: { TEMPERED_PING: 'hc-ping.com/x' } })).message).toBe(
      'TEMPERED_PING: expected an http(s) URL, got "hc-ping.com/x"',
    );
  });

  it('rejects a bad flag with a UsageError naming the flag', () => {
    const error = thrown(() => mergeSettings({ flags: { lockWait: 'later' } }));
    expect(error).toBeInstanceOf(UsageError);
    expect(error).not.toBeInstanceOf(ConfigError);
    expect(error.message).toBe(
      '--lock-wait: expected a duration like 30s, 5m or 2h, or a number of milliseconds, got "later"',
    );
  });

  it('reads only the known settings from flags, whatever else the command passes', () => {
    const flags = { logLevel: 'warn', json: true, 'dry-run': true } as SettingsFlags;
    expect(mergeSettings({ flags })).toEqual({ logLevel: 'warn', lockWaitMs: 0, retry: {} });
  });

  it('accepts lock wait flags as milliseconds too', () => {
    expect(mergeSettings({ flags: { lockWait: 1500 } }).lockWaitMs).toBe(1500);
  });

  it('registers a TEMPERED_* value as secret when TEMPERED_SECRET_VARS names it', () => {
    mergeSettings({
      env: { TEMPERED_PING: 'https://hc-ping.com/uuid-1234', TEMPERED_SECRET_VARS: 'TEMPERED_PING' },
    });
    expect(secrets.redactString('ping https://hc-ping.com/uuid-1234')).toBe(`ping ${REDACTED}`);
  });

  it('does not register TEMPERED_* values by default', () => {
    mergeSettings({ env: { TEMPERED_PING: 'https://hc-ping.com/uuid-1234' } });
    expect(secrets.size).toBe(0);
  });
});

describe('Function: toSettingsLayer', () => {
  it('converts durations to milliseconds and resolves relative paths against the config directory', () => {
    const layer = toSettingsLayer(
      {
        logFile: 'logs/run.log',
        stateDir: '/abs/state',
        lockWait: '1m',
        retry: {
          maxAttempts: 4,
          baseDelay: '200ms',
          maxDelay: '10s',
          attemptTimeout: 30_000,
          deadline: '2m',
        },
      },
      '/etc/tempered',
    );
    expect(layer).toEqual({
      logFile: '/etc/tempered/logs/run.log',
      stateDir: '/abs/state',
      lockWaitMs: 60_000,
      retry: {
        maxAttempts: 4,
        baseDelayMs: 200,
        maxDelayMs: 10_000,
        attemptTimeoutMs: 30_000,
        deadlineMs: 120_000,
      },
    });
  });
});

describe('Function: layerSettings', () => {
  it('merges retry field by field and never lets undefined override', () => {
    const settings = layerSettings(
      { retry: { maxAttempts: 3, baseDelayMs: 100 } },
      { retry: { baseDelayMs: 500, maxDelayMs: undefined }, logFile: undefined },
    );
    expect(settings.retry).toEqual({ maxAttempts: 3, baseDelayMs: 500 });
    expect('logFile' in settings).toBe(false);
  });

  it('does not share the retry object of DEFAULT_SETTINGS', () => {
    const settings = layerSettings({ retry: { maxAttempts: 9 } });
    expect(settings.retry).not.toBe(DEFAULT_SETTINGS.retry);
    expect(DEFAULT_SETTINGS.retry).toEqual({});
  });
});
