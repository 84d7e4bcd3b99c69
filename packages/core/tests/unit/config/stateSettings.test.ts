// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${VAR} placeholders are the config syntax under test
import { afterEach, describe, expect, it } from 'vitest';
import { checkStructure } from '../../../src/config/checkStructure.js';
import { mergeSettings, stateBackendOf } from '../../../src/config/mergeSettings.js';
import { resolveEnvironment } from '../../../src/config/resolveEnvironment.js';
import { summarizeConfig } from '../../../src/config/summarizeConfig.js';
import type { LoadedConfig } from '../../../src/config/types.js';
import { ConfigError, UsageError } from '../../../src/errors/index.js';
import { secrets } from '../../../src/log/redact.js';

const FILE = '/etc/tempered/config.yml';
const URL_A = 'postgres://tempered:s3cret-pw@db-a.internal:5432/jobs';
const URL_B = 'postgresql://tempered:other-pw@db-b.internal/jobs?sslmode=verify-full';

function loaded(raw: unknown): LoadedConfig {
  const { data, environments } = checkStructure(raw, FILE, 'deploy');
  return { cli: 'deploy', file: FILE, source: 'flag', data, environments, sectionSchema: undefined };
}

function settingsOf(
  raw: unknown,
  options: { env?: NodeJS.ProcessEnv; requested?: string; stateUrl?: string } = {},
) {
  const env = options.env ?? {};
  const config = loaded(raw);
  const resolved = resolveEnvironment(config, { env, requested: options.requested });
  return mergeSettings({ file: resolved.fileSettings, env, flags: { stateUrl: options.stateUrl } });
}

function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected an error');
}

afterEach(() => secrets.clear());

describe('state settings', () => {
  it('are absent by default: the file backend under stateDir', () => {
    const settings = settingsOf({});
    expect(settings.state).toBeUndefined();
    expect(stateBackendOf(settings.state)).toBe('file');
  });

  it('reads backend, url, schema and leaseTtl from the file, interpolated', () => {
    const settings = settingsOf(
      { state: { backend: 'postgres', url: '${TEMPERED_STATE_URL}', schema: 'jobs_state', leaseTtl: '45s' } },
      { env: { TEMPERED_STATE_URL: URL_A } },
    );
    expect(settings.state).toEqual({
      backend: 'postgres',
      url: URL_A,
      schema: 'jobs_state',
      leaseTtlMs: 45_000,
    });
  });

  it('merges an environment over the top level field by field', () => {
    const config = {
      state: { backend: 'postgres', url: URL_A, schema: 'shared' },
      environments: { prod: { state: { schema: 'prod_state' } }, dev: { state: { backend: 'file' } } },
    };
    expect(settingsOf(config, { requested: 'prod' }).state).toEqual({
      backend: 'postgres',
      url: URL_A,
      schema: 'prod_state',
    });
    expect(stateBackendOf(settingsOf(config, { requested: 'dev' }).state)).toBe('file');
  });

  it('takes TEMPERED_STATE_* over the file and --state-url over both; a url alone selects postgres', () => {
    const file = { state: { backend: 'file' } };
    const fromEnv = settingsOf(file, {
      env: { TEMPERED_STATE_BACKEND: 'postgres', TEMPERED_STATE_URL: URL_A, TEMPERED_STATE_SCHEMA: 'ops' },
    });
    expect(fromEnv.state).toEqual({ backend: 'postgres', url: URL_A, schema: 'ops' });
    expect(settingsOf({}, { env: { TEMPERED_STATE_URL: URL_A } }).state).toEqual({
      backend: 'postgres',
      url: URL_A,
    });
    // a named file backend keeps a url set for interpolation from selecting postgres
    expect(stateBackendOf(settingsOf(file, { env: { TEMPERED_STATE_URL: URL_A } }).state)).toBe('file');

    const fromFlag = settingsOf(file, { env: { TEMPERED_STATE_URL: URL_A }, stateUrl: URL_B });
    expect(fromFlag.state).toEqual({ backend: 'postgres', url: URL_B });
  });

  it('refuses the postgres backend without a url: one line naming state.url and TEMPERED_STATE_URL', () => {
    const error = thrown(() => settingsOf({ state: { backend: 'postgres' } }));
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toContain('state.url');
    expect(String((error as ConfigError).hint)).toContain('TEMPERED_STATE_URL');
    expect(error.message).not.toContain('\n');

    const fromEnv = thrown(() => settingsOf({}, { env: { TEMPERED_STATE_BACKEND: 'postgres' } }));
    expect(fromEnv).toBeInstanceOf(ConfigError);
    expect(fromEnv.message).toContain('state.url');
  });

  it('refuses a url that is not postgres:// or postgresql://, without printing its password', () => {
    const inFile = thrown(() => settingsOf({ state: { url: 'mysql://root:s3cret-pw@db/x' } }));
    expect(inFile).toBeInstanceOf(ConfigError);
    expect(inFile.message).toContain('state.url');
    expect(inFile.message).toContain('postgres://');
    expect(inFile.message).not.toContain('s3cret-pw');

    const inEnv = thrown(() => settingsOf({}, { env: { TEMPERED_STATE_URL: 'http://u:s3cret-pw@db/x' } }));
    expect(inEnv).toBeInstanceOf(ConfigError);
    expect(inEnv.message).toContain('TEMPERED_STATE_URL');
    expect(inEnv.message).not.toContain('s3cret-pw');

    const inFlag = thrown(() => settingsOf({}, { stateUrl: '/var/lib/tempered' }));
    expect(inFlag).toBeInstanceOf(UsageError);
    expect(inFlag.message).toContain('--state-url');
  });

  it('refuses a bad backend, schema or lease TTL, naming the key', () => {
    expect(thrown(() => settingsOf({ state: { backend: 'mysql' } })).message).toContain('state.backend');
    expect(thrown(() => settingsOf({}, { env: { TEMPERED_STATE_BACKEND: 'sqlite' } })).message).toContain(
      'TEMPERED_STATE_BACKEND',
    );
    expect(thrown(() => settingsOf({ state: { schema: 'Bad-Name' } })).message).toContain('state.schema');
    expect(thrown(() => settingsOf({ state: { leaseTtl: '200ms' } })).message).toContain('state.leaseTtl');
    expect(thrown(() => settingsOf({ state: { urll: URL_A } })).message).toContain('urll');
  });

  it('registers the password as a secret before anything prints it; the summary shows the url redacted', () => {
    const config = loaded({ environments: { prod: { state: { url: '${TEMPERED_STATE_URL}' } } } });
    const env = { TEMPERED_STATE_URL: 'postgres://tempered:s3cret%2Fpw@db:5432/jobs' };
    const resolved = resolveEnvironment(config, { env, requested: 'prod' });
    const settings = mergeSettings({ file: resolved.fileSettings, env });

    expect(secrets.redactString('password s3cret%2Fpw or s3cret/pw')).not.toMatch(/s3cret/);
    const summary = JSON.stringify(summarizeConfig(config, resolved, settings));
    expect(summary).not.toContain('s3cret');
    expect(summary).toContain('@db:5432/jobs');
  });

  it('masks a password given as a query parameter', () => {
    settingsOf({}, { env: { TEMPERED_STATE_URL: 'postgres://db/jobs?user=ops&password=query-s3cret' } });
    expect(secrets.redactString('query-s3cret')).not.toContain('query-s3cret');
  });
});
