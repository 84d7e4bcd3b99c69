import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/errors/index.js';
import { appendQuery, joinPath, parseHttpUrl } from '../../../src/http/url.js';
import { secrets } from '../../../src/log/index.js';

describe('Function: joinPath', () => {
  it.each([
    ['https://api.example.com', 'items/1', 'https://api.example.com/items/1'],
    ['https://api.example.com/', '/items/1', 'https://api.example.com/items/1'],
    ['https://api.example.com/v1', '/items', 'https://api.example.com/v1/items'],
    ['https://api.example.com/v1/', 'items?page=2', 'https://api.example.com/v1/items?page=2'],
    ['https://api.example.com/v1?tenant=a', 'items', 'https://api.example.com/v1/items?tenant=a'],
  ])('joins %s + %s', (base, path, expected) => {
    expect(joinPath(new URL(base), path).href).toBe(expected);
  });
});

describe('Function: appendQuery', () => {
  it('encodes values, repeats arrays and skips null and undefined', () => {
    const url = appendQuery(new URL('https://h/p?x=1'), {
      q: 'a b&c=d',
      n: 3,
      flag: false,
      tag: ['x', 'y'],
      skip: undefined,
      none: null,
    });
    expect(url.search).toBe('?x=1&q=a+b%26c%3Dd&n=3&flag=false&tag=x&tag=y');
  });
});

describe('Function: parseHttpUrl', () => {
  it('moves credentials out of the URL and registers the password as a secret', () => {
    const { url, credentials } = parseHttpUrl('https://deployer:p%40ss-url-secret@h.example/x', 'test');
    expect(url.href).toBe('https://h.example/x');
    expect(credentials).toEqual({ username: 'deployer', password: 'p@ss-url-secret' });
    expect(secrets.redactString('p@ss-url-secret')).toBe('[REDACTED]');
  });

  it('rejects non-http schemes and invalid URLs without printing credentials', () => {
    expect(() => parseHttpUrl('ftp://h/x', 'baseUrl')).toThrow(UsageError);
    expect(() => parseHttpUrl('not a url', 'baseUrl')).toThrow(/baseUrl: not a valid URL/);
    try {
      parseHttpUrl('http://u:leaky-pass-1@bad host/', 'baseUrl');
    } catch (error) {
      expect((error as Error).message).not.toContain('leaky-pass-1');
    }
  });
});
