import { describe, expect, it } from 'vitest';
import { isSecretEnvName, REDACTED, Redactor } from '../../../src/log/index.js';

describe('isSecretEnvName', () => {
  it.each([
    'DB_PASSWORD',
    'MYSQL_ROOT_PASSWD',
    'GPG_PASSPHRASE',
    'CLIENT_SECRET',
    'AWS_SECRET_ACCESS_KEY',
    'GITHUB_TOKEN',
    'npm_token',
    'STRIPE_API_KEY',
    'APIKEY',
    'SSH_PRIVATE_KEY',
    'GOOGLE_APPLICATION_CREDENTIALS',
    'NPM_AUTH',
    'REGISTRY_AUTH_HEADER',
    'DBPASSWORD',
    'HC_APITOKEN',
    'DB_PASS',
    'SMTP_PASS',
    'DB_PW',
    'MYSQL_PWD',
    'STRIPE_KEY',
    'SIGNING_KEY',
    'JWT_SIGNING_KEY',
    'APP_KEY',
    'SSH_KEY',
    'SESSION_COOKIE',
    'SENTRY_DSN',
  ])('%s is secret', (name) => {
    expect(isSecretEnvName(name)).toBe(true);
  });

  it.each([
    'GIT_AUTHOR_NAME',
    'AUTHOR',
    'OAUTHLIB_INSECURE_TRANSPORT',
    'KEYBOARD_LAYOUT',
    'API_URL',
    'PRIVATE_NETWORK',
    'AWS_ACCESS_KEY_ID',
    'PWD',
    'OLDPWD',
    'KEY',
    'BYPASS_CACHE',
    'KEYBOARD',
    'PASSENGER_APP_ENV',
    'HOME',
    'PATH',
  ])('%s is not', (name) => {
    expect(isSecretEnvName(name)).toBe(false);
  });
});

describe('Redactor.addSecret values', () => {
  it('ignores words of configuration, whatever holds them', () => {
    const r = new Redactor();
    for (const word of ['true', 'FALSE', 'null', 'none', 'enabled']) r.addSecret(word);
    expect(r.size).toBe(0);
  });

  it('masks each line of a multi-line secret, as a key file is printed line by line', () => {
    const r = new Redactor();
    r.addSecret('-----BEGIN K-----\r\nAAAAB3NzaC1yc2E\n-----END K-----\n');
    expect(r.redactString('line AAAAB3NzaC1yc2E')).toBe(`line ${REDACTED}`);
  });
});
