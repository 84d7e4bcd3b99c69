// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${VAR} placeholders are the config syntax under test
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { checkStructure } from '../../../src/config/checkStructure.js';
import { resolveEnvironment } from '../../../src/config/resolveEnvironment.js';
import type { LoadedConfig } from '../../../src/config/types.js';
import { ConfigError, UsageError } from '../../../src/errors/index.js';
import { REDACTED, secrets } from '../../../src/log/redact.js';

const FILE = '/etc/tempered/config.yml';

function loaded<S = unknown>(raw: unknown, sectionSchema?: z.ZodType<S>, cli = 'deploy'): LoadedConfig<S> {
  const { data, environments } = checkStructure(raw, FILE, cli);
  return { cli, file: FILE, source: 'flag', data, environments, sectionSchema };
}

const NO_FILE: LoadedConfig = {
  cli: 'deploy',
  file: undefined,
  source: 'none',
  data: {},
  environments: [],
  sectionSchema: undefined,
};

function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected an error');
}

afterEach(() => secrets.clear());

describe('Function: resolveEnvironment', () => {
  describe('selection', () => {
    const config = loaded({ defaultEnvironment: 'staging', environments: { staging: {}, prod: {}, qa: {} } });

    it('prefers the flag, then TEMPERED_ENVIRONMENT, then defaultEnvironment', () => {
      const env = { TEMPERED_ENVIRONMENT: 'qa' };
      expect(resolveEnvironment(config, { requested: 'prod', env }).name).toBe('prod');
      expect(resolveEnvironment(config, { env }).name).toBe('qa');
      expect(resolveEnvironment(config, { env: {} }).name).toBe('staging');
    });

    it('uses the unprotected environment "default" when there is no config', () => {
      const resolved = resolveEnvironment(NO_FILE, { env: {} });
      expect(resolved).toEqual({
        name: 'default',
        protected: false,
        settings: { logLevel: 'info', lockWaitMs: 0, retry: {} },
        fileSettings: {},
        section: {},
      });
    });

    it('uses "default" when the config defines no environments', () => {
      expect(resolveEnvironment(loaded({ logLevel: 'warn' }), { env: {} }).name).toBe('default');
    });

    it('rejects an unknown environment with a ConfigError that lists the known ones', () => {
      const error = thrown(() => resolveEnvironment(config, { requested: 'production', env: {} }));
      expect(error).toBeInstanceOf(ConfigError);
      expect(error.message).toBe('unknown environment "production"; known: staging, prod, qa');
      expect((error as ConfigError).exitCode).toBe(2);
      expect((error as ConfigError).hint).toBe('pass one of the known environments to --environment');
    });

    it('allows only "default" when the config defines no environments', () => {
      expect(thrown(() => resolveEnvironment(NO_FILE, { requested: 'prod', env: {} })).message).toBe(
        'unknown environment "prod"; known: default',
      );
    });

    it('says where an unknown name came from in the hint', () => {
      const fromEnv = thrown(() => resolveEnvironment(config, { env: { TEMPERED_ENVIRONMENT: 'dev' } }));
      expect((fromEnv as ConfigError).hint).toBe(
        'set TEMPERED_ENVIRONMENT to one of the known environments, or unset it',
      );
      const badDefault = loaded({ defaultEnvironment: 'dev', environments: { prod: {} } });
      expect((thrown(() => resolveEnvironment(badDefault, { env: {} })) as ConfigError).hint).toBe(
        `fix defaultEnvironment in ${FILE}`,
      );
    });

    it('is a usage error listing the environments when none is selected', () => {
      const error = thrown(() =>
        resolveEnvironment(loaded({ environments: { staging: {}, prod: {} } }), { env: {} }),
      );
      expect(error).toBeInstanceOf(UsageError);
      expect(error).not.toBeInstanceOf(ConfigError);
      expect(error.message).toBe('no environment selected; known: staging, prod');
    });

    it('interpolates defaultEnvironment', () => {
      const config = loaded({
        defaultEnvironment: '${SITE:-staging}',
        environments: { staging: {}, prod: {} },
      });
      expect(resolveEnvironment(config, { env: { SITE: 'prod' } }).name).toBe('prod');
      expect(resolveEnvironment(config, { env: {} }).name).toBe('staging');
    });
  });

  describe('merging', () => {
    const raw = {
      logLevel: 'info',
      lockWait: '10s',
      retry: { maxAttempts: 4, baseDelay: '200ms' },
      deploy: { target: { path: '/srv/app', user: 'app' }, hooks: ['a', 'b'] },
      environments: {
        staging: {},
        prod: {
          protected: true,
          logLevel: 'warn',
          logFile: 'logs/prod.log',
          retry: { maxAttempts: 6 },
          deploy: { target: { path: '/srv/prod' }, hooks: ['c'] },
        },
      },
    };

    it('reads the protected flag', () => {
      expect(resolveEnvironment(loaded(raw), { requested: 'prod', env: {} }).protected).toBe(true);
      expect(resolveEnvironment(loaded(raw), { requested: 'staging', env: {} }).protected).toBe(false);
    });

    it('merges the environment over the top level, deep for mappings, replacing lists', () => {
      const resolved = resolveEnvironment(loaded(raw), { requested: 'prod', env: {} });
      expect(resolved.settings).toEqual({
        logLevel: 'warn',
        logFile: '/etc/tempered/logs/prod.log',
        lockWaitMs: 10_000,
        retry: { maxAttempts: 6, baseDelayMs: 200 },
      });
      expect(resolved.fileSettings).toEqual({
        logLevel: 'warn',
        logFile: '/etc/tempered/logs/prod.log',
        lockWaitMs: 10_000,
        retry: { maxAttempts: 6, baseDelayMs: 200 },
      });
      expect(resolved.section).toEqual({ target: { path: '/srv/prod', user: 'app' }, hooks: ['c'] });
    });

    it('keeps the top level as is for an environment that overrides nothing', () => {
      const resolved = resolveEnvironment(loaded(raw), { requested: 'staging', env: {} });
      expect(resolved.settings.logLevel).toBe('info');
      expect(resolved.section).toEqual({ target: { path: '/srv/app', user: 'app' }, hooks: ['a', 'b'] });
    });
  });

  describe('section schema', () => {
    const schema = z.object({ target: z.object({ path: z.string(), user: z.string().default('deploy') }) });

    it('validates the merged section and returns the parsed value', () => {
      const config = loaded({ environments: { prod: { deploy: { target: { path: '/srv' } } } } }, schema);
      const resolved = resolveEnvironment(config, { requested: 'prod', env: {} });
      expect(resolved.section).toEqual({ target: { path: '/srv', user: 'deploy' } });
    });

    it('points an error at the environment that set the bad value', () => {
      const config = loaded(
        { deploy: { target: { path: '/srv' } }, environments: { prod: { deploy: { target: { user: 7 } } } } },
        schema,
      );
      expect(thrown(() => resolveEnvironment(config, { requested: 'prod', env: {} })).message).toBe(
        `${FILE}: environments.prod.deploy.target.user: expected a string, got 7`,
      );
    });

    it('points an error at the top level when that is where the value came from', () => {
      const config = loaded(
        { deploy: { target: { path: 9 } }, environments: { prod: { deploy: {} } } },
        schema,
      );
      expect(thrown(() => resolveEnvironment(config, { requested: 'prod', env: {} })).message).toBe(
        `${FILE}: deploy.target.path: expected a string, got 9`,
      );
    });

    it('ignores other CLIs sections entirely, placeholders included', () => {
      const config = loaded(
        { 'file-sync': { source: '${UNSET_VARIABLE}', anything: [1, 2] } },
        schema,
        'deploy',
      );
      expect(thrown(() => resolveEnvironment(config, { env: {} })).message).toBe(
        `${FILE}: deploy.target: expected a mapping, got nothing`,
      );
    });
  });

  describe('interpolation', () => {
    it('interpolates the selected environment only, so other environments may need other variables', () => {
      const config = loaded({
        environments: {
          staging: { deploy: { url: 'https://${STAGING_HOST}/' } },
          prod: { deploy: { url: 'https://${PROD_HOST}/' } },
        },
      });
      const resolved = resolveEnvironment(config, {
        requested: 'staging',
        env: { STAGING_HOST: 'stg.example' },
      });
      expect(resolved.section).toEqual({ url: 'https://stg.example/' });
    });

    it('names file, key path and variable for a missing variable in the selected environment', () => {
      const config = loaded({
        environments: { prod: { deploy: { healthcheck: { url: '${HEALTH_URL}' } } } },
      });
      const error = thrown(() => resolveEnvironment(config, { requested: 'prod', env: {} }));
      expect(error).toBeInstanceOf(ConfigError);
      expect(error.message).toBe(
        `${FILE}: environments.prod.deploy.healthcheck.url: variable HEALTH_URL is not set`,
      );
    });

    it('validates interpolated standard settings, naming the key', () => {
      const config = loaded({ logLevel: '${LEVEL}' });
      expect(resolveEnvironment(config, { env: { LEVEL: 'debug' } }).settings.logLevel).toBe('debug');
      expect(thrown(() => resolveEnvironment(config, { env: { LEVEL: 'loud' } })).message).toBe(
        `${FILE}: logLevel: expected one of trace, debug, info, warn, error, fatal, silent, got "loud"`,
      );
    });

    it('turns an interpolated retry count into a number', () => {
      const config = loaded({ retry: { maxAttempts: '${RETRIES}' } });
      expect(resolveEnvironment(config, { env: { RETRIES: '7' } }).settings.retry).toEqual({
        maxAttempts: 7,
      });
    });

    it('registers secrets of the section it uses', () => {
      const config = loaded({ deploy: { apiToken: 'plain-token-in-file', password: '${DB_PW}' } });
      resolveEnvironment(config, { env: { DB_PW: 'pw-from-env' } });
      expect(secrets.redactString('plain-token-in-file pw-from-env')).toBe(`${REDACTED} ${REDACTED}`);
    });
  });
});
