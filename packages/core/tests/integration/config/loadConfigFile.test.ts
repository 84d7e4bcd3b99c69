// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${VAR} placeholders are the config syntax under test
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { SYSTEM_CONFIG_FILE } from '../../../src/config/constants.js';
import { findConfigFile } from '../../../src/config/findConfigFile.js';
import {
  loadConfig,
  loadConfigFile,
  mergeSettings,
  resolveEnvironment,
  summarizeConfig,
} from '../../../src/config/index.js';
import { ConfigError } from '../../../src/errors/index.js';
import { REDACTED, secrets } from '../../../src/log/redact.js';

const FULL_YAML = `# every standard key, two environments, two CLI sections
defaultEnvironment: staging
logLevel: info
logFile: /var/log/tempered/x.log
stateDir: /var/lib/tempered
lockWait: 0s
metricsFile: /var/lib/node_exporter/tempered.prom
ping: https://hc-ping.com/uuid
retry: { maxAttempts: 4, baseDelay: 200ms, maxDelay: 10s, attemptTimeout: 30s, deadline: 2m }
file-sync:
  exclude: ['*.tmp']
environments:
  staging:
    file-sync: { source: ./a, destination: ./b }
  prod:
    protected: true
    logLevel: warn
    retry: { maxAttempts: 6 }
    deploy: { target: { path: /srv/app } }
`;

const fileSyncSection = z.strictObject({
  source: z.string(),
  destination: z.string(),
  exclude: z.array(z.string()).default([]),
});

let dir: string;
let home: string;
/** An environment with nothing in it but a HOME of our own, so no real user config leaks in. */
let env: NodeJS.ProcessEnv;

function write(name: string, text: string): string {
  const path = join(dir, name);
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, text);
  return path;
}

async function rejection(promise: Promise<unknown>): Promise<ConfigError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

beforeEach(() => {
  dir = realpathSync(mkdtempSync(join(tmpdir(), 'tempered-config-')));
  home = join(dir, 'home');
  mkdirSync(home);
  env = { HOME: home };
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
  secrets.clear();
});

describe('Function: loadConfigFile', () => {
  describe('finding the file', () => {
    it('finds nothing and resolves to the unprotected environment "default" with embedded defaults', async () => {
      const loaded = await loadConfigFile({ env, cwd: dir, cli: 'file-sync' });
      expect(loaded).toMatchObject({ file: undefined, source: 'none', environments: [], data: {} });
      const resolved = resolveEnvironment(loaded, { env });
      expect(resolved).toMatchObject({ name: 'default', protected: false, section: {} });
      expect(resolved.settings).toEqual({ logLevel: 'info', lockWaitMs: 0, retry: {} });
    });

    it('prefers --config, then TEMPERED_CONFIG, then ./tempered.yml', async () => {
      const flagged = write('flag.yml', 'logLevel: debug\n');
      const fromEnv = write('env.json', '{"logLevel": "warn"}');
      write('tempered.yml', 'logLevel: error\n');
      const withEnv = { ...env, TEMPERED_CONFIG: fromEnv };
      expect(await loadConfigFile({ path: flagged, env: withEnv, cwd: dir, cli: 'x' })).toMatchObject({
        file: flagged,
        source: 'flag',
      });
      expect(await loadConfigFile({ env: withEnv, cwd: dir, cli: 'x' })).toMatchObject({
        file: fromEnv,
        source: 'env',
      });
      expect(await loadConfigFile({ env, cwd: dir, cli: 'x' })).toMatchObject({
        file: join(dir, 'tempered.yml'),
        source: 'default',
      });
    });

    it('resolves a relative --config against cwd and ~/ against HOME', async () => {
      write('conf/a.yml', 'logLevel: debug\n');
      write('home/b.yml', 'logLevel: debug\n');
      expect((await loadConfigFile({ path: 'conf/a.yml', env, cwd: dir, cli: 'x' })).file).toBe(
        join(dir, 'conf/a.yml'),
      );
      const viaEnv = { ...env, TEMPERED_CONFIG: '~/b.yml' };
      expect((await loadConfigFile({ env: viaEnv, cwd: dir, cli: 'x' })).file).toBe(join(home, 'b.yml'));
    });

    it('tries tempered.yaml and tempered.json after tempered.yml', async () => {
      write('tempered.json', '{}');
      expect((await loadConfigFile({ env, cwd: dir, cli: 'x' })).file).toBe(join(dir, 'tempered.json'));
      write('tempered.yaml', '{}');
      expect((await loadConfigFile({ env, cwd: dir, cli: 'x' })).file).toBe(join(dir, 'tempered.yaml'));
    });

    it('falls back to $XDG_CONFIG_HOME/tempered/config.yml, then ~/.config/tempered/config.yml', async () => {
      const cwd = join(dir, 'empty');
      mkdirSync(cwd);
      const user = write('home/.config/tempered/config.yml', 'logLevel: warn\n');
      expect((await loadConfigFile({ env, cwd, cli: 'x' })).file).toBe(user);
      const xdg = write('xdg/tempered/config.yml', 'logLevel: warn\n');
      expect(
        (await loadConfigFile({ env: { ...env, XDG_CONFIG_HOME: join(dir, 'xdg') }, cwd, cli: 'x' })).file,
      ).toBe(xdg);
    });

    it('falls back last to the machine-wide /etc/tempered/config.yml, as a cron job from / needs', async () => {
      const cwd = join(dir, 'empty-too');
      mkdirSync(cwd);
      const system = join(dir, 'etc', 'tempered', 'config.yml');
      expect(await findConfigFile({ env, cwd, systemConfig: system })).toEqual({
        path: undefined,
        source: 'none',
      });
      write('etc/tempered/config.yml', 'logLevel: warn\n');
      expect(await findConfigFile({ env, cwd, systemConfig: system })).toEqual({
        path: system,
        source: 'default',
      });
      const user = write('home/.config/tempered/config.yml', 'logLevel: warn\n');
      expect((await findConfigFile({ env, cwd, systemConfig: system })).path).toBe(user);
      expect(SYSTEM_CONFIG_FILE).toBe('/etc/tempered/config.yml');
    });

    it('fails with exit 2 when a named file does not exist', async () => {
      const missing = join(dir, 'nope.yml');
      const error = await rejection(loadConfigFile({ path: missing, env, cwd: dir, cli: 'x' }));
      expect(error.message).toBe(`config file not found: ${missing}`);
      expect(error.exitCode).toBe(2);
      expect(error.hint).toBe(
        'check the --config path, or leave it out to use ./tempered.yml or the embedded defaults',
      );
      const fromEnv = await rejection(
        loadConfigFile({ env: { ...env, TEMPERED_CONFIG: missing }, cwd: dir, cli: 'x' }),
      );
      expect(fromEnv.hint).toBe(
        'check TEMPERED_CONFIG, or unset it to use ./tempered.yml or the embedded defaults',
      );
    });

    it('rejects a directory and an unsupported extension', async () => {
      mkdirSync(join(dir, 'conf.d'));
      expect((await rejection(loadConfigFile({ path: 'conf.d', env, cwd: dir, cli: 'x' }))).message).toBe(
        `cannot read config file ${join(dir, 'conf.d')}: a directory`,
      );
      const toml = write('tempered.toml', 'a = 1\n');
      expect((await rejection(loadConfigFile({ path: toml, env, cwd: dir, cli: 'x' }))).message).toBe(
        `${toml}: unsupported config file type ".toml"; expected .yml, .yaml, .json`,
      );
    });
  });

  describe('parsing', () => {
    it('reads a full YAML file: environments, protected flag, settings and section', async () => {
      const file = write('tempered.yml', FULL_YAML);
      const loaded = await loadConfigFile({
        env,
        cwd: dir,
        cli: 'file-sync',
        sectionSchema: fileSyncSection,
      });
      expect(loaded.environments).toEqual(['staging', 'prod']);

      const staging = resolveEnvironment(loaded, { env });
      expect(staging.name).toBe('staging');
      expect(staging.protected).toBe(false);
      expect(staging.section).toEqual({ source: './a', destination: './b', exclude: ['*.tmp'] });
      expect(staging.settings).toEqual({
        logLevel: 'info',
        logFile: '/var/log/tempered/x.log',
        stateDir: '/var/lib/tempered',
        lockWaitMs: 0,
        metricsFile: '/var/lib/node_exporter/tempered.prom',
        ping: 'https://hc-ping.com/uuid',
        retry: {
          maxAttempts: 4,
          baseDelayMs: 200,
          maxDelayMs: 10_000,
          attemptTimeoutMs: 30_000,
          deadlineMs: 120_000,
        },
      });

      const deploy = await loadConfigFile({ path: file, env, cwd: dir, cli: 'deploy' });
      const prod = resolveEnvironment(deploy, { requested: 'prod', env });
      expect(prod.protected).toBe(true);
      expect(prod.settings.logLevel).toBe('warn');
      expect(prod.settings.retry.maxAttempts).toBe(6);
      expect(prod.settings.retry.baseDelayMs).toBe(200);
      expect(prod.section).toEqual({ target: { path: '/srv/app' } });
    });

    it('reads the same config written as JSON', async () => {
      const json = {
        defaultEnvironment: 'prod',
        lockWait: 1500,
        environments: { prod: { protected: true, 'file-sync': { source: '/a', destination: '/b' } } },
      };
      write('tempered.json', JSON.stringify(json, null, 2));
      const loaded = await loadConfigFile({
        env,
        cwd: dir,
        cli: 'file-sync',
        sectionSchema: fileSyncSection,
      });
      const resolved = resolveEnvironment(loaded, { env });
      expect(resolved).toMatchObject({ name: 'prod', protected: true });
      expect(resolved.settings.lockWaitMs).toBe(1500);
      expect(resolved.section).toEqual({ source: '/a', destination: '/b', exclude: [] });
    });

    it('names file, line and column for a YAML syntax error', async () => {
      const file = write('tempered.yml', 'logLevel: info\nretry:\n  maxAttempts: [1, 2\nstateDir: /x\n');
      const error = await rejection(loadConfigFile({ env, cwd: dir, cli: 'x' }));
      expect(error.message).toBe(
        `${file}:4:1: invalid YAML: Flow sequence in block collection must be sufficiently indented and end with a ]`,
      );
      expect(error.file).toBe(file);
      expect(error.exitCode).toBe(2);
    });

    it('names the line of a duplicate YAML key', async () => {
      const file = write('tempered.yml', 'logLevel: info\nlogLevel: warn\n');
      expect((await rejection(loadConfigFile({ env, cwd: dir, cli: 'x' }))).message).toBe(
        `${file}:2:1: invalid YAML: Map keys must be unique`,
      );
    });

    it('refuses a duplicate JSON key, naming it and its line (JSON.parse would keep the last)', async () => {
      const file = write(
        'tempered.json',
        '{\n  "logLevel": "info",\n  "retry": { "maxAttempts": 2 },\n  "logLevel": "warn"\n}\n',
      );
      const error = await rejection(loadConfigFile({ env, cwd: dir, cli: 'x' }));
      expect(error.message).toBe(`${file}:4:3: invalid JSON: duplicate key "logLevel"`);
      expect(error.exitCode).toBe(2);
      // the same key spelt with an escape is the same key
      write('tempered.json', '{ "log\\u004cevel": "info", "logLevel": "warn" }\n');
      expect((await rejection(loadConfigFile({ env, cwd: dir, cli: 'x' }))).message).toBe(
        `${file}:1:28: invalid JSON: duplicate key "logLevel"`,
      );
      // the same key in two objects is no duplicate
      write(
        'tempered.json',
        '{ "retry": { "maxAttempts": 2 }, "environments": { "prod": { "retry": { "maxAttempts": 3 } } } }\n',
      );
      expect((await loadConfigFile({ env, cwd: dir, cli: 'x' })).data).toMatchObject({
        retry: { maxAttempts: 2 },
      });
    });

    it('refuses __proto__, constructor and prototype keys, and YAML tags it has no type for', async () => {
      let file = write('tempered.json', '{ "retry": { "__proto__": { "polluted": true } } }\n');
      let error = await rejection(loadConfigFile({ env, cwd: dir, cli: 'x' }));
      expect(error.message).toBe(`${file}: retry.__proto__: the key "__proto__" is not allowed in a config`);
      expect(error.exitCode).toBe(2);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      rmSync(file);
      file = write('tempered.yml', 'environments:\n  prod:\n    constructor: x\n');
      expect((await rejection(loadConfigFile({ env, cwd: dir, cli: 'x' }))).message).toBe(
        `${file}: environments.prod.constructor: the key "constructor" is not allowed in a config`,
      );
      for (const tag of ['!!js/function "x"', '!custom y']) {
        write('tempered.yml', `logLevel: info\nping: ${tag}\n`);
        error = await rejection(loadConfigFile({ env, cwd: dir, cli: 'x' }));
        expect(error.message).toMatch(
          new RegExp(`^${file.replaceAll('.', '\\.')}:2:7: invalid YAML: Unresolved tag`),
        );
        expect(error.exitCode).toBe(2);
      }
    });

    it('names file, line and column for a JSON syntax error', async () => {
      const file = write('tempered.json', '{\n  "logLevel": "info"\n  "stateDir": "/x"\n}\n');
      const error = await rejection(loadConfigFile({ env, cwd: dir, cli: 'x' }));
      expect(error.message).toBe(`${file}:3:3: invalid JSON: Expected ',' or '}' after property value`);
    });

    it('locates JSON errors V8 reports without a position', async () => {
      const file = write('tempered.json', '{\n  "logLevel": tru\n}\n');
      const error = await rejection(loadConfigFile({ env, cwd: dir, cli: 'x' }));
      expect(error.message).toMatch(new RegExp(`^${file.replaceAll('.', '\\.')}:2:\\d+: invalid JSON: `));
      expect(error.message).not.toContain('"logLevel"');
    });

    it('reads an empty file as an empty config', async () => {
      write('tempered.yml', '# nothing yet\n');
      expect((await loadConfigFile({ env, cwd: dir, cli: 'x' })).data).toEqual({});
    });
  });

  describe('validation', () => {
    it('names file, key path and expectation for a schema error', async () => {
      const file = write('tempered.yml', 'environments:\n  prod:\n    retry:\n      maxAttempts: many\n');
      const error = await rejection(loadConfigFile({ env, cwd: dir, cli: 'x' }));
      expect(error.message).toBe(
        `${file}: environments.prod.retry.maxAttempts: expected a number, got "many"`,
      );
      expect(error.keyPath).toBe('environments.prod.retry.maxAttempts');
      expect(error.message).not.toContain('\n');
    });

    it('validates literal values of every environment, not just the selected one', async () => {
      const file = write('tempered.yml', 'environments:\n  staging: {}\n  prod:\n    protected: "yes"\n');
      expect((await rejection(loadConfigFile({ env, cwd: dir, cli: 'x' }))).message).toBe(
        `${file}: environments.prod.protected: expected true or false, got "yes"`,
      );
    });

    it('suggests the known key for a typo', async () => {
      const file = write('tempered.yml', 'logLevl: debug\n');
      const error = await rejection(loadConfigFile({ env, cwd: dir, cli: 'x' }));
      expect(error.message).toBe(`${file}: logLevl: unknown key, did you mean "logLevel"?`);
      expect(error.hint).toBe('rename "logLevl" to "logLevel"');
    });

    it('validates the CLI section after merging, naming the environment key path (unknown keys first)', async () => {
      const file = write(
        'tempered.yml',
        'environments:\n  staging:\n    file-sync: { source: ./a, dest: ./b }\n',
      );
      const loaded = await loadConfigFile({
        env,
        cwd: dir,
        cli: 'file-sync',
        sectionSchema: fileSyncSection,
      });
      const error = (() => {
        try {
          resolveEnvironment(loaded, { requested: 'staging', env });
        } catch (e) {
          return e as ConfigError;
        }
        throw new Error('expected a ConfigError');
      })();
      expect(error.message).toBe(
        `${file}: environments.staging.file-sync.dest: unknown key (and 1 more problem)`,
      );
    });

    it('lists the known environments for an unknown one', async () => {
      write('tempered.yml', FULL_YAML);
      const loaded = await loadConfigFile({ env, cwd: dir, cli: 'file-sync' });
      expect(() => resolveEnvironment(loaded, { requested: 'production', env })).toThrow(
        /^unknown environment "production"; known: staging, prod$/,
      );
    });
  });

  describe('secrets and variables', () => {
    it('reads a *_FILE secret, registers it, and keeps it out of the summary', async () => {
      const secretFile = write('secrets/db_password', 'S3cr3t-Passw0rd\n');
      write(
        'tempered.yml',
        [
          'ping: https://hc-ping.com/${PING_UUID}',
          'deploy:',
          '  database: postgres://app:${DB_PASSWORD}@db:5432/app',
          '  healthcheck: { url: "https://${HOST:-localhost}/health" }',
        ].join('\n'),
      );
      const runEnv = { ...env, DB_PASSWORD_FILE: secretFile, PING_UUID: 'abcd-1234' };
      const loaded = await loadConfigFile({ env: runEnv, cwd: dir, cli: 'deploy' });
      const resolved = resolveEnvironment(loaded, { env: runEnv });

      expect(resolved.section).toEqual({
        database: 'postgres://app:S3cr3t-Passw0rd@db:5432/app',
        healthcheck: { url: 'https://localhost/health' },
      });
      expect(secrets.redactString('auth failed for S3cr3t-Passw0rd')).toBe(`auth failed for ${REDACTED}`);

      const summary = summarizeConfig(loaded, resolved);
      expect(summary).toEqual({
        cli: 'deploy',
        file: join(dir, 'tempered.yml'),
        source: 'default',
        environment: 'default',
        protected: false,
        settings: { logLevel: 'info', lockWaitMs: 0, ping: 'https://hc-ping.com/abcd-1234', retry: {} },
      });
      expect(JSON.stringify(summary)).not.toContain('S3cr3t');
    });

    it('redacts a secret that ends up in a standard setting of the summary', async () => {
      write('tempered.yml', 'ping: https://hc-ping.com/${PING_TOKEN}\n');
      const runEnv = { ...env, PING_TOKEN: 'uuid-very-secret' };
      const loaded = await loadConfigFile({ env: runEnv, cwd: dir, cli: 'deploy' });
      const resolved = resolveEnvironment(loaded, { env: runEnv });
      expect(resolved.settings.ping).toBe('https://hc-ping.com/uuid-very-secret');
      expect(summarizeConfig(loaded, resolved).settings.ping).toBe(`https://hc-ping.com/${REDACTED}`);
    });

    it('names file, key path and variable for a missing variable', async () => {
      const file = write(
        'tempered.yml',
        'environments:\n  prod:\n    deploy:\n      healthcheck:\n        url: https://${HEALTH_HOST}/\n',
      );
      const loaded = await loadConfigFile({ env, cwd: dir, cli: 'deploy' });
      expect(() => resolveEnvironment(loaded, { requested: 'prod', env })).toThrow(
        new RegExp(
          `^${file}: environments\\.prod\\.deploy\\.healthcheck\\.url: variable HEALTH_HOST is not set$`,
        ),
      );
    });
  });

  describe('precedence', () => {
    it('applies flags > env vars > config file > defaults', async () => {
      write('tempered.yml', 'logLevel: warn\nlockWait: 10s\nstateDir: /from/file\nlogFile: /from/file.log\n');
      const runEnv = { ...env, TEMPERED_LOG_LEVEL: 'error', TEMPERED_STATE_DIR: '/from/env' };
      const loaded = await loadConfig({ env: runEnv, cwd: dir, cli: 'file-sync' });
      const resolved = resolveEnvironment(loaded, { env: runEnv });
      const settings = mergeSettings({
        defaults: { metricsFile: '/from/defaults.prom', lockWaitMs: 1 },
        file: resolved.fileSettings,
        env: runEnv,
        flags: { logLevel: 'debug', stateDir: undefined, lockWait: undefined },
      });
      expect(settings).toEqual({
        logLevel: 'debug', // flag
        stateDir: '/from/env', // env over file; the undefined flag does not override
        lockWaitMs: 10_000, // file over defaults
        logFile: '/from/file.log', // file
        metricsFile: '/from/defaults.prom', // defaults
        retry: {},
      });
    });
  });
});
