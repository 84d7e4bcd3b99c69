// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${VAR} placeholders are the config syntax under test
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { interpolate, interpolateString, isSecretVariable } from '../../../src/config/interpolate.js';
import { ConfigError } from '../../../src/errors/index.js';
import { REDACTED, secrets } from '../../../src/log/redact.js';

const FILE = '/srv/tempered.yml';
const PATH = ['environments', 'prod', 'deploy', 'healthcheck', 'url'];

function thrown(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tempered-interpolate-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
  secrets.clear();
});

describe('Function: interpolateString', () => {
  it('replaces ${VAR} and ${VAR:-default} from the environment', () => {
    const env = { HOST: 'db.internal' };
    expect(interpolateString('postgres://${HOST}:${PORT:-5432}/app', { env, file: FILE }, [])).toBe(
      'postgres://db.internal:5432/app',
    );
  });

  it('uses the default for an empty variable, and keeps an empty one without a default', () => {
    const env = { EMPTY: '' };
    expect(interpolateString('[${EMPTY:-fallback}]', { env, file: FILE }, [])).toBe('[fallback]');
    expect(interpolateString('[${EMPTY}]', { env, file: FILE }, [])).toBe('[]');
  });

  it('reads $${ as a literal ${', () => {
    expect(interpolateString('cost: $${AMOUNT}', { env: {}, file: FILE }, [])).toBe('cost: ${AMOUNT}');
  });

  it('names file, key path and variable when a variable is missing', () => {
    const error = thrown(() =>
      interpolateString('https://${HEALTH_HOST}/health', { env: {}, file: FILE }, PATH),
    );
    expect(error.message).toBe(
      `${FILE}: environments.prod.deploy.healthcheck.url: variable HEALTH_HOST is not set`,
    );
    expect(error.file).toBe(FILE);
    expect(error.keyPath).toBe('environments.prod.deploy.healthcheck.url');
    expect(error.exitCode).toBe(2);
    expect(error.hint).toBe(
      'set HEALTH_HOST (or HEALTH_HOST_FILE), or give a default in the file: ${HEALTH_HOST:-value}',
    );
  });

  it('rejects a malformed placeholder instead of passing it through', () => {
    expect(thrown(() => interpolateString('${not-a-name}', { env: {}, file: FILE }, ['ping'])).message).toBe(
      `${FILE}: ping: expected \${NAME} or \${NAME:-default}, got "\${not-a-name}"`,
    );
    expect(thrown(() => interpolateString('x ${OPEN', { env: {}, file: FILE }, ['ping'])).message).toBe(
      `${FILE}: ping: expected \${NAME} or \${NAME:-default}, got "\${"`,
    );
  });

  it('reads VAR_FILE when VAR is unset, trims one trailing newline and registers the value', () => {
    const secretFile = join(dir, 'db_password');
    writeFileSync(secretFile, 'correct-horse\n\n');
    const env = { DB_PASS_FILE: secretFile };
    const value = interpolateString('${DB_PASS}', { env, file: FILE }, ['deploy', 'db']);
    expect(value).toBe('correct-horse\n');
    expect(secrets.redactString('connecting with correct-horse\n')).toBe(`connecting with ${REDACTED}`);
  });

  it('prefers VAR over VAR_FILE when both are set', () => {
    const secretFile = join(dir, 'token');
    writeFileSync(secretFile, 'from-file');
    const env = { API_TOKEN: 'from-env', API_TOKEN_FILE: secretFile };
    expect(interpolateString('${API_TOKEN}', { env, file: FILE }, [])).toBe('from-env');
  });

  it('names the variable and the file when VAR_FILE cannot be read', () => {
    const missing = join(dir, 'nope');
    const error = thrown(() =>
      interpolateString('${DB_PASS}', { env: { DB_PASS_FILE: missing }, file: FILE }, ['db']),
    );
    expect(error.message).toBe(`${FILE}: db: cannot read DB_PASS_FILE=${missing}: ENOENT`);
  });

  it('registers values of secret-looking variables, and only those', () => {
    const env = { DEPLOY_TOKEN: 'tok-123456', REGION: 'eu-west-1' };
    interpolateString('${DEPLOY_TOKEN}@${REGION}', { env, file: FILE }, []);
    expect(secrets.redactString('tok-123456 in eu-west-1')).toBe(`${REDACTED} in eu-west-1`);
  });
});

describe('Function: interpolate', () => {
  it('walks mappings and lists and leaves non-strings alone', () => {
    const env = { SRC: '/data' };
    const out = interpolate(
      { source: '${SRC}', exclude: ['${SRC}/tmp', 3], dry: true },
      { env, file: FILE },
      [],
    );
    expect(out).toEqual({ source: '/data', exclude: ['/data/tmp', 3], dry: true });
  });

  it('reports the full path of a value inside a list', () => {
    const error = thrown(() =>
      interpolate({ targets: ['ok', '${MISSING}'] }, { env: {}, file: FILE }, ['deploy']),
    );
    expect(error.message).toBe(`${FILE}: deploy.targets[1]: variable MISSING is not set`);
  });

  it('registers every string under a secret-looking key, nested ones included', () => {
    interpolate(
      { db: { password: 'literal-pass' }, auth: { user: 'bob-the-user', pin: 987654 }, note: 'visible-note' },
      { env: {}, file: FILE },
      [],
    );
    expect(secrets.redactString('literal-pass bob-the-user 987654 visible-note')).toBe(
      `${REDACTED} ${REDACTED} ${REDACTED} visible-note`,
    );
  });
});

describe('Function: isSecretVariable', () => {
  it('treats secret-looking names as secret', () => {
    for (const name of ['DB_PASSWORD', 'GITHUB_TOKEN', 'AWS_SECRET_ACCESS_KEY', 'SSH_KEY', 'REGISTRY_AUTH']) {
      expect(isSecretVariable(name, {})).toBe(true);
    }
    expect(isSecretVariable('REGION', {})).toBe(false);
    expect(isSecretVariable('PWD', {})).toBe(false);
  });

  it('does not treat TEMPERED_* settings variables as secret unless listed in TEMPERED_SECRET_VARS', () => {
    expect(isSecretVariable('TEMPERED_PING', {})).toBe(false);
    expect(isSecretVariable('TEMPERED_API_TOKEN', {})).toBe(false);
    const env = { TEMPERED_SECRET_VARS: 'TEMPERED_PING, DB_URL' };
    expect(isSecretVariable('TEMPERED_PING', env)).toBe(true);
    expect(isSecretVariable('DB_URL', env)).toBe(true);
  });
});
