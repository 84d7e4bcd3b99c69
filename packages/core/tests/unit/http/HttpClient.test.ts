import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PermanentError, TransientError, UsageError } from '../../../src/errors/index.js';
import { statusError } from '../../../src/http/errors.js';
import { HttpClient, retryRule } from '../../../src/http/index.js';
import { secrets } from '../../../src/log/index.js';

describe('Module: http', () => {
  it('never imports undici at the top level (it costs ~140 ms of start-up)', () => {
    const dir = new URL('../../../src/http/', import.meta.url);
    const offenders = readdirSync(dir)
      .filter((file) => file.endsWith('.ts'))
      .filter((file) =>
        /^\s*import\s+(?!type\b)[^;]*from\s+['"]undici['"]/m.test(readFileSync(new URL(file, dir), 'utf8')),
      );
    expect(offenders).toEqual([]);
  });
});

describe('Class: HttpClient', () => {
  describe('Method: constructor', () => {
    it.each([
      [{ concurrency: 0 }, 'concurrency'],
      [{ headersTimeoutMs: 'soon' }, 'headersTimeoutMs'],
      [{ rateLimitPerSecond: -1 }, 'rateLimitPerSecond'],
      [{ baseUrl: 'ftp://example.com' }, 'baseUrl'],
      [{ retry: { maxAttempts: 0 } }, 'maxAttempts'],
      [{ timeout: 5 }, 'timeout'],
      [{ maxBodyBytes: -1 }, 'maxBodyBytes'],
      [{ maxBodyBytes: 1.5 }, 'maxBodyBytes'],
    ])('rejects %j naming %s', (options, key) => {
      expect(() => new HttpClient(options as never)).toThrow(UsageError);
      expect(() => new HttpClient(options as never)).toThrow(key);
    });

    it('never prints an auth value in a validation error', () => {
      const act = () => new HttpClient({ auth: { token: 'tok-in-error-123', extra: 1 } as never });
      expect(act).toThrow(/auth/);
      try {
        act();
      } catch (error) {
        expect((error as Error).message).not.toContain('tok-in-error-123');
      }
    });

    it('registers auth secrets so every log and error redacts them', () => {
      new HttpClient({ auth: { token: 'bearer-secret-abc' } });
      new HttpClient({ auth: { username: 'ci', password: 'basic-secret-xyz' } });
      expect(secrets.redactString('bearer-secret-abc basic-secret-xyz')).toBe('[REDACTED] [REDACTED]');
    });
  });

  describe('Method: request', () => {
    it('rejects a path without baseUrl and a request giving both path and url', async () => {
      const client = new HttpClient();
      await expect(client.get('/x')).rejects.toThrow(/needs a baseUrl/);
      await expect(client.request({ method: 'GET', path: '/x', url: 'http://h/' })).rejects.toThrow(
        /not both/,
      );
    });

    it('refuses to run after close()', async () => {
      const client = new HttpClient();
      await client.close();
      await expect(client.get('http://127.0.0.1:9/')).rejects.toThrow(/after close/);
    });
  });
});

describe('Function: retryRule', () => {
  const unavailable = new TransientError('503', { status: 503 });
  const refused = new TransientError('refused', {
    cause: Object.assign(new Error('x'), { code: 'ECONNREFUSED' }),
  });
  const reset = new TransientError('reset', {
    cause: Object.assign(new Error('x'), { code: 'UND_ERR_SOCKET' }),
  });

  it.each(['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS'])('retries %s on any retryable failure', (method) => {
    const rule = retryRule(method, false);
    expect([unavailable, refused, reset].map(rule)).toEqual([true, true, true]);
    expect(rule(new PermanentError('400', { status: 400 }))).toBe(false);
  });

  it.each(['POST', 'PATCH'])('retries %s without a key only when nothing was sent', (method) => {
    const rule = retryRule(method, false);
    expect([unavailable, refused, reset].map(rule)).toEqual([false, true, false]);
  });

  it('retries a POST with an idempotency key like any idempotent request', () => {
    expect([unavailable, refused, reset].map(retryRule('POST', true))).toEqual([true, true, true]);
  });
});

describe('Function: statusError', () => {
  it('maps retryable statuses to TransientError with Retry-After', () => {
    const error = statusError('GET http://h/x', 429, 'Too Many Requests', '2', true);
    expect(error).toBeInstanceOf(TransientError);
    expect(error).toMatchObject({
      status: 429,
      retryAfterMs: 2_000,
      message: 'GET http://h/x -> 429 Too Many Requests',
    });
  });

  it('maps other statuses to PermanentError, with a credentials hint on 401 and 403', () => {
    const error = statusError('GET http://h/x', 401, 'Unauthorized', undefined, false);
    expect(error).toBeInstanceOf(PermanentError);
    expect(error.exitCode).toBe(1);
    expect(error.hint).toMatch(/check the credentials/);
    expect(statusError('GET http://h/x', 403, 'Forbidden', undefined, false).hint).toMatch(
      /check the credentials/,
    );
    expect(statusError('GET http://h/x', 404, 'Not Found', undefined, false).hint).toBeUndefined();
  });
});
