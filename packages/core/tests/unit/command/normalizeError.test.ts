import { describe, expect, it } from 'vitest';
import { errorLine, errorToJson, normalizeError } from '../../../src/command/index.js';
import { ConfigError, InterruptedError, secrets } from '../../../src/index.js';
import { lockNameFor } from '../../../src/job/index.js';

describe('normalizeError', () => {
  it('keeps our own errors', () => {
    const error = new ConfigError('tempered.yml: retry.maxAttempts: expected a number, got "x"');
    expect(normalizeError(error)).toBe(error);
  });

  it("turns oclif's parse errors into usage errors (exit 2), first line only", () => {
    const oclif = Object.assign(new Error('Nonexistent flag: --bogus\nSee more help with --help'), {
      oclif: { exit: 2 },
    });
    const normalized = normalizeError(oclif);
    expect(normalized.exitCode).toBe(2);
    expect(normalized.message).toBe('Nonexistent flag: --bogus');
  });

  it('treats an abort carrying our interruption as that interruption', () => {
    const abort = Object.assign(new Error('The operation was aborted'), {
      name: 'AbortError',
      cause: new InterruptedError('SIGTERM'),
    });
    expect(normalizeError(abort).exitCode).toBe(143);
  });

  it('reports anything else as a bug, exit 1, with a hint to debug', () => {
    const normalized = normalizeError(new TypeError('x is undefined'));
    expect(normalized.name).toBe('InternalError');
    expect(normalized.exitCode).toBe(1);
    expect(errorLine(normalized)).toBe(
      'unexpected error: x is undefined (hint: re-run with --log-level debug for the stack trace)',
    );
  });

  it('never says "Error" twice: no "Error: " in front of any message, ours or foreign', () => {
    const oclif = Object.assign(new Error('Error: Nonexistent flag: --bogus'), { oclif: { exit: 2 } });
    expect(errorLine(normalizeError(oclif))).toBe('Nonexistent flag: --bogus (hint: see --help)');
    expect(errorLine(normalizeError(new Error('Error: boom')))).toMatch(/^unexpected error: boom \(hint:/);
    expect(errorToJson(new ConfigError('Error: Error: bad key')).message).toBe('bad key');
  });

  it('redacts secrets from the JSON error document', () => {
    secrets.addSecret('planted-in-error-77');
    const json = errorToJson(new ConfigError('login with planted-in-error-77 refused'));
    expect(json).toEqual({
      name: 'ConfigError',
      code: 'E_CONFIG',
      exitCode: 2,
      message: 'login with [REDACTED] refused',
    });
  });
});

describe('lockNameFor', () => {
  it('is stable, safe as a file name, and distinct for distinct targets', () => {
    expect(lockNameFor('/srv/app')).toBe(lockNameFor('/srv/app'));
    expect(lockNameFor('/srv/app')).toMatch(/^srv_app-[0-9a-f]{12}$/);
    expect(lockNameFor('/srv/app')).not.toBe(lockNameFor('/srv/app2'));
  });

  it('never carries URL credentials or query strings into the name', () => {
    const name = lockNameFor('https://ci:hunter22@registry.example/v2?token=abc');
    expect(name).not.toContain('hunter22');
    expect(name).not.toContain('abc');
    expect(name).toMatch(/^registry.example_v2-[0-9a-f]{12}$/);
  });
});
