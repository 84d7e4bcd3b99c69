import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  ExitCode,
  InterruptedError,
  isRetryable,
  LockHeldError,
  PartialError,
  PermanentError,
  TransientError,
  UsageError,
} from '../../../src/errors/index.js';

describe('isRetryable', () => {
  it.each([408, 425, 429, 500, 502, 503, 504])('retries HTTP %i', (status) => {
    expect(isRetryable({ status })).toBe(true);
  });

  it.each([400, 401, 403, 404, 409, 410, 422, 501])('does not retry HTTP %i', (status) => {
    expect(isRetryable({ statusCode: status })).toBe(false);
  });

  it.each(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EAI_AGAIN', 'ENOTFOUND', 'UND_ERR_HEADERS_TIMEOUT'])(
    'retries network error %s, also when wrapped in a cause',
    (code) => {
      expect(isRetryable(Object.assign(new Error('x'), { code }))).toBe(true);
      expect(isRetryable(new Error('outer', { cause: Object.assign(new Error('inner'), { code }) }))).toBe(
        true,
      );
    },
  );

  it('does not retry validation, permission or unknown errors', () => {
    expect(isRetryable(new UsageError('bad flag'))).toBe(false);
    expect(isRetryable(Object.assign(new Error('denied'), { code: 'EACCES' }))).toBe(false);
    expect(isRetryable(new Error('who knows'))).toBe(false);
    expect(isRetryable(undefined)).toBe(false);
  });

  it('trusts our own errors over their causes', () => {
    expect(isRetryable(new TransientError('503'))).toBe(true);
    expect(
      isRetryable(new PermanentError('401', { cause: Object.assign(new Error(), { code: 'ECONNRESET' }) })),
    ).toBe(false);
  });

  it('treats a TimeoutError (AbortSignal.timeout) as transient', () => {
    expect(isRetryable(new DOMException('timed out', 'TimeoutError'))).toBe(true);
  });
});

describe('exit codes', () => {
  it('maps each error class to the documented table', () => {
    expect(new UsageError('x').exitCode).toBe(ExitCode.Usage);
    expect(new ConfigError('x').exitCode).toBe(2);
    expect(new PermanentError('x').exitCode).toBe(1);
    expect(new TransientError('x').exitCode).toBe(75);
    expect(new LockHeldError('x').exitCode).toBe(75);
    expect(new PartialError('x').exitCode).toBe(3);
    expect(new InterruptedError('SIGINT').exitCode).toBe(130);
    expect(new InterruptedError('SIGTERM').exitCode).toBe(143);
  });

  it('carries a hint the operator can act on', () => {
    expect(new LockHeldError('held').hint).toMatch(/--lock-wait/);
    expect(new PartialError('some failed').hint).toMatch(/re-run/);
  });
});
