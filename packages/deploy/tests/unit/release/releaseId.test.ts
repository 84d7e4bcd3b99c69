import { describe, expect, it } from 'vitest';
import { generateReleaseId, isSafeReleaseId, releaseIdFor } from '../../../src/release/releaseId.js';

const DIGEST = 'sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef';

describe('Function: releaseIdFor', () => {
  it('uses --version as given when it is a safe name', () => {
    expect(releaseIdFor({ version: '1.4.2+build.7', now: new Date(), digest: DIGEST })).toBe('1.4.2+build.7');
  });

  it('otherwise makes a UTC timestamp plus a short digest, sortable by time', () => {
    const id = releaseIdFor({ now: new Date('2026-03-04T05:06:07.891Z'), digest: DIGEST });
    expect(id).toBe('20260304T050607Z-01234567');
    const later = generateReleaseId(new Date('2026-03-04T05:06:08Z'), DIGEST);
    expect([later, id].sort()).toEqual([id, later]);
  });

  it.each([
    '../x',
    'a/b',
    '.hidden',
    '',
    'v1 beta',
    'v1.partial',
    'v1.removing',
    '-rf',
    'x'.repeat(101),
    'v1\0',
  ])('refuses the unsafe --version %j with a usage error', (version) => {
    expect(() => releaseIdFor({ version, now: new Date(), digest: DIGEST })).toThrow(
      expect.objectContaining({ exitCode: 2 }),
    );
    expect(isSafeReleaseId(version)).toBe(false);
  });
});
