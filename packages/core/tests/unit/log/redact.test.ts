import { describe, expect, it } from 'vitest';
import { REDACTED, Redactor, redactHeaders } from '../../../src/log/index.js';

describe('Redactor', () => {
  it('redacts values under secret-looking keys at any depth, case-insensitively', () => {
    const r = new Redactor();
    const out = r.redact({
      user: 'ops',
      Password: 'p1',
      nested: { deeper: [{ apiKey: 'k1', API_KEY: 'k2', Authorization: 'Bearer x' }], cookie: 'c=1' },
      clientSecret: 's',
      accessToken: 't',
      tokenCount: 3,
      enabled: true,
    });
    expect(out).toEqual({
      user: 'ops',
      Password: REDACTED,
      nested: {
        deeper: [{ apiKey: REDACTED, API_KEY: REDACTED, Authorization: REDACTED }],
        cookie: REDACTED,
      },
      clientSecret: REDACTED,
      accessToken: REDACTED,
      tokenCount: REDACTED,
      enabled: true,
    });
  });

  it('redacts registered secret values wherever they appear, longest first, including URL-encoded', () => {
    const r = new Redactor();
    r.addSecret('s3cr3t-value');
    r.addSecret('s3cr3t-value-longer');
    r.addSecret('p@ss word');
    expect(r.redactString('a s3cr3t-value-longer b s3cr3t-value')).toBe(`a ${REDACTED} b ${REDACTED}`);
    expect(r.redactString('q=p%40ss%20word')).toBe(`q=${REDACTED}`);
    expect(r.redact({ message: 'failed with p@ss word' })).toEqual({ message: `failed with ${REDACTED}` });
  });

  it('ignores too-short secrets so logs stay readable', () => {
    const r = new Redactor();
    r.addSecret('abc');
    expect(r.size).toBe(0);
    expect(r.redactString('abc')).toBe('abc');
  });

  it('strips credentials from URLs, query strings and auth schemes', () => {
    const r = new Redactor();
    expect(r.redactString('GET https://user:pa55@example.com/x?token=abc&page=2 failed')).toBe(
      `GET https://${REDACTED}@example.com/x?token=${REDACTED}&page=2 failed`,
    );
    expect(r.redactString('postgres://admin:hunter2@db:5432/app')).toBe(`postgres://${REDACTED}@db:5432/app`);
    expect(r.redactString('header Authorization: Bearer eyJhbGciOi.abc.def')).toBe(
      `header Authorization: Bearer ${REDACTED}`,
    );
    expect(r.redactString('https://example.com/path?page=2')).toBe('https://example.com/path?page=2');
  });

  it('turns errors into plain objects with redacted message, cause, and stack only on request', () => {
    const r = new Redactor();
    r.addSecret('topsecret1');
    const error = Object.assign(
      new Error('login topsecret1 failed', { cause: new Error('inner topsecret1') }),
      {
        code: 'E_X',
      },
    );
    const plain = r.redact(error) as unknown as Record<string, unknown>;
    expect(plain).toEqual({
      type: 'Error',
      message: `login ${REDACTED} failed`,
      code: 'E_X',
      cause: { type: 'Error', message: `inner ${REDACTED}` },
    });
    const withStack = r.redact(error, { withStack: true }) as unknown as { stack: string };
    expect(withStack.stack).toContain(`login ${REDACTED} failed`);
    expect(withStack.stack).not.toContain('topsecret1');
  });

  it('survives cycles', () => {
    const r = new Redactor();
    const a: Record<string, unknown> = { name: 'a' };
    a.self = a;
    expect(r.redact(a)).toEqual({ name: 'a', self: '[Circular]' });
  });
});

describe('redactHeaders', () => {
  it('hides credentials headers and keeps the rest', () => {
    expect(
      redactHeaders({
        authorization: 'Basic dXNlcjpwYXNz',
        'x-api-key': 'k',
        'content-type': 'application/json',
      }),
    ).toEqual({ authorization: REDACTED, 'x-api-key': REDACTED, 'content-type': 'application/json' });
  });
});

describe('Redactor shared references', () => {
  it('walks an object met twice side by side, only true cycles become [Circular]', () => {
    const r = new Redactor();
    const shared = { password: 'x', note: 'n' };
    expect(r.redact({ a: shared, b: { c: shared }, list: [shared, shared] })).toEqual({
      a: { password: REDACTED, note: 'n' },
      b: { c: { password: REDACTED, note: 'n' } },
      list: [
        { password: REDACTED, note: 'n' },
        { password: REDACTED, note: 'n' },
      ],
    });
  });
});
