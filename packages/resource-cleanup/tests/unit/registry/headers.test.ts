import { describe, expect, it } from 'vitest';
import { nextLink, parseChallenges } from '../../../src/registry/headers.js';

describe('Function: parseChallenges', () => {
  it('reads a bearer challenge whose quoted scope holds commas', () => {
    expect(
      parseChallenges(
        'Bearer realm="https://auth.example/token",service="registry.example",scope="repository:a/b:pull,push"',
      ),
    ).toEqual([
      {
        scheme: 'bearer',
        params: {
          realm: 'https://auth.example/token',
          service: 'registry.example',
          scope: 'repository:a/b:pull,push',
        },
      },
    ]);
  });

  it('reads several challenges, unquoted values and escapes', () => {
    expect(parseChallenges(['Basic realm="a \\"b\\""', 'Bearer realm=x, error=insufficient_scope'])).toEqual([
      { scheme: 'basic', params: { realm: 'a "b"' } },
      { scheme: 'bearer', params: { realm: 'x', error: 'insufficient_scope' } },
    ]);
  });

  it('returns nothing for a missing header', () => {
    expect(parseChallenges(undefined)).toEqual([]);
  });
});

describe('Function: nextLink', () => {
  it('finds rel="next" among several links', () => {
    expect(nextLink('</v2/_catalog?last=a&n=2>; rel="prev", </v2/_catalog?last=b&n=2>; rel="next"')).toBe(
      '/v2/_catalog?last=b&n=2',
    );
    expect(nextLink('</v2/x/tags/list?last=t>; rel=next')).toBe('/v2/x/tags/list?last=t');
  });

  it('returns undefined without a next link', () => {
    expect(nextLink(undefined)).toBeUndefined();
    expect(nextLink('</a>; rel="prev"')).toBeUndefined();
  });
});
