import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { describeValue, formatKeyPath, parseWith } from '../../../src/config/formatIssue.js';
import { baseConfigSchema } from '../../../src/config/schema.js';
import { ConfigError } from '../../../src/errors/index.js';
import { secrets } from '../../../src/log/redact.js';

const FILE = '/etc/tempered/config.yml';

/** The one-line message parseWith throws, or a failure when it throws nothing. */
function messageOf(schema: z.ZodType, value: unknown, prefix: (string | number)[] = []): string {
  try {
    parseWith(schema, value, { file: FILE, prefix });
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).message;
  }
  throw new Error('expected a ConfigError');
}

afterEach(() => secrets.clear());

describe('Function: formatKeyPath', () => {
  it('joins keys with dots and writes list indexes in brackets', () => {
    expect(formatKeyPath(['environments', 'prod', 'deploy', 'targets', 2, 'url'])).toBe(
      'environments.prod.deploy.targets[2].url',
    );
    expect(formatKeyPath([])).toBe('');
  });
});

describe('Function: parseWith', () => {
  it('returns the parsed value when it is valid', () => {
    expect(parseWith(baseConfigSchema, { logLevel: 'warn' }, { file: FILE })).toEqual({ logLevel: 'warn' });
  });

  it('names file, key path, expectation and value for an enum', () => {
    expect(messageOf(baseConfigSchema, { logLevel: 'verbose' })).toBe(
      `${FILE}: logLevel: expected one of trace, debug, info, warn, error, fatal, silent, got "verbose"`,
    );
  });

  it('reports a wrong type with the value as written', () => {
    expect(messageOf(baseConfigSchema, { environments: { prod: { protected: 'yes' } } })).toBe(
      `${FILE}: environments.prod.protected: expected true or false, got "yes"`,
    );
    expect(messageOf(baseConfigSchema, { logFile: 42 })).toBe(`${FILE}: logFile: expected a string, got 42`);
  });

  it('reports numbers out of range and durations that do not parse', () => {
    expect(messageOf(baseConfigSchema, { retry: { maxAttempts: 0 } })).toBe(
      `${FILE}: retry.maxAttempts: expected a number >= 1, got 0`,
    );
    expect(messageOf(baseConfigSchema, { lockWait: 'soon' })).toBe(
      `${FILE}: lockWait: expected a duration like 30s, 5m or 2h, or a number of milliseconds, got "soon"`,
    );
    expect(messageOf(baseConfigSchema, { ping: 'ftp://example.com/x' })).toBe(
      `${FILE}: ping: expected an http(s) URL, got "ftp://example.com/x"`,
    );
  });

  it('says "got nothing" for a missing required key and places it under the prefix', () => {
    const section = z.object({ target: z.object({ path: z.string() }) });
    expect(messageOf(section, { target: {} }, ['environments', 'prod', 'deploy'])).toBe(
      `${FILE}: environments.prod.deploy.target.path: expected a string, got nothing`,
    );
  });

  it('counts the remaining problems instead of listing them', () => {
    expect(messageOf(baseConfigSchema, { logLevel: 1, logFile: 2, stateDir: 3 })).toBe(
      `${FILE}: logLevel: expected one of trace, debug, info, warn, error, fatal, silent, got 1 (and 2 more problems)`,
    );
  });

  it('describes mappings and lists by kind, not by content', () => {
    expect(messageOf(baseConfigSchema, { retry: ['a'] })).toBe(
      `${FILE}: retry: expected a mapping, got a list`,
    );
  });

  it('joins union branches and follows the branch that got further', () => {
    const schema = z.object({ port: z.union([z.number(), z.string()]) });
    expect(messageOf(schema, { port: true })).toBe(`${FILE}: port: expected a number or a string, got true`);
    const shapes = z.object({ hook: z.union([z.string(), z.object({ url: z.string() })]) });
    expect(messageOf(shapes, { hook: { url: 3 } })).toBe(`${FILE}: hook.url: expected a string, got 3`);
  });

  it('names the options of a discriminated union', () => {
    const schema = z.object({
      store: z.discriminatedUnion('kind', [
        z.object({ kind: z.literal('file') }),
        z.object({ kind: z.literal('s3') }),
      ]),
    });
    expect(messageOf(schema, { store: { kind: 'ftp' } })).toBe(
      `${FILE}: store.kind: expected one of file, s3, got "ftp"`,
    );
  });

  it('reports unknown keys of a strict section by their full path', () => {
    const schema = z.strictObject({ source: z.string() });
    expect(messageOf(schema, { source: 'a', verbose: 'b' }, ['file-sync'])).toBe(
      `${FILE}: file-sync.verbose: unknown key`,
    );
  });

  it('suggests the known key of the same object for a misspelt one, at any depth', () => {
    const schema = z.strictObject({
      source: z.string().optional(),
      rules: z.array(z.strictObject({ name: z.string(), keepLatest: z.number().optional() })).optional(),
      hooks: z.strictObject({ afterSwitch: z.array(z.string()) }).default({ afterSwitch: [] }),
    });
    expect(messageOf(schema, { sorce: 'b' }, ['file-sync'])).toBe(
      `${FILE}: file-sync.sorce: unknown key, did you mean "source"?`,
    );
    expect(messageOf(schema, { rules: [{ name: 'a', keeplatest: 3 }] })).toBe(
      `${FILE}: rules[0].keeplatest: unknown key, did you mean "keepLatest"?`,
    );
    expect(messageOf(schema, { hooks: { afterswitch: [] } })).toBe(
      `${FILE}: hooks.afterswitch: unknown key, did you mean "afterSwitch"? (and 1 more problem)`,
    );
  });

  it('uses a custom refine message as the expectation', () => {
    const schema = z.object({ path: z.string().refine((p) => p.startsWith('/'), 'an absolute path') });
    expect(messageOf(schema, { path: 'srv' })).toBe(`${FILE}: path: expected an absolute path, got "srv"`);
  });

  it('never prints a value under a secret-looking key', () => {
    const schema = z.object({ db: z.object({ password: z.string().min(12) }) });
    const message = messageOf(schema, { db: { password: 'hunter2' } });
    expect(message).toBe(
      `${FILE}: db.password: expected a string of at least 12 characters, got a string (hidden)`,
    );
  });

  it('redacts registered secrets from the value it shows', () => {
    secrets.addSecret('s3cr3t-value');
    const schema = z.object({ mode: z.enum(['a', 'b']) });
    expect(messageOf(schema, { mode: 's3cr3t-value' })).toBe(
      `${FILE}: mode: expected one of a, b, got "[REDACTED]"`,
    );
  });

  it('keeps the message on one line, whatever the value holds', () => {
    const message = messageOf(baseConfigSchema, { logLevel: 'a\nb' });
    expect(message).not.toContain('\n');
    expect(message).toContain('got "a\\nb"');
  });
});

describe('describeValue and secrets cut by truncation', () => {
  it('redacts a secret before cutting a long value, so no part of it is printed', () => {
    const secret = 'straddling-secret-0123456789abcdef';
    secrets.addSecret(secret);
    const value = `${'x'.repeat(50)}${secret}`;
    const shown = describeValue(value);
    expect(shown).not.toContain(secret.slice(0, 10));
    expect(shown.startsWith(`"${'x'.repeat(50)}[REDACTED`)).toBe(true);
  });
});
