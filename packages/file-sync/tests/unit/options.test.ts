import { describe, expect, it } from 'vitest';
import { resolveSyncOptions } from '../../src/options.js';
import { syncSection } from '../../src/section.js';

const base = { cwd: '/work', home: '/home/ops', flags: {}, args: {}, section: {} };

describe('syncSection', () => {
  it('accepts {} and every documented key, numbers and booleans from interpolated strings too', () => {
    expect(syncSection.parse({})).toEqual({});
    expect(
      syncSection.parse({
        source: 'a',
        destination: 'b',
        delete: 'true',
        maxDelete: '50',
        exclude: ['*.tmp'],
        include: ['*.txt'],
        checksum: false,
        symlinks: 'follow',
        concurrency: 4,
        fsync: true,
        allowEmptySource: false,
      }),
    ).toMatchObject({ delete: true, maxDelete: 50, symlinks: 'follow' });
  });

  it('rejects unknown keys and bad values', () => {
    expect(syncSection.safeParse({ dest: 'x' }).success).toBe(false);
    expect(syncSection.safeParse({ maxDelete: -1 }).success).toBe(false);
    expect(syncSection.safeParse({ symlinks: 'maybe' }).success).toBe(false);
    expect(syncSection.safeParse({ concurrency: 0 }).success).toBe(false);
  });
});

describe('resolveSyncOptions', () => {
  it('defaults: no delete, cap 1000, size+mtime, links preserved, no fsync', () => {
    expect(resolveSyncOptions({ ...base, args: { source: 'src', destination: '/abs/dst' } })).toEqual({
      source: '/work/src',
      destination: '/abs/dst',
      delete: false,
      maxDelete: 1000,
      include: [],
      exclude: [],
      checksum: false,
      symlinks: 'preserve',
      concurrency: 8,
      fsync: false,
      allowEmptySource: false,
    });
  });

  it('flags override the section; section paths are relative to the config file, ~ is home', () => {
    const options = resolveSyncOptions({
      ...base,
      configDir: '/etc/tempered',
      section: { source: 'site', destination: '~/www', delete: true, maxDelete: 10, exclude: ['a'] },
      flags: { 'max-delete': 3, delete: false, exclude: ['b'] },
    });

    expect(options).toMatchObject({
      source: '/etc/tempered/site',
      destination: '/home/ops/www',
      delete: false,
      maxDelete: 3,
      exclude: ['b'],
    });
  });

  it('arguments are relative to the working directory even with a config file', () => {
    const options = resolveSyncOptions({
      ...base,
      configDir: '/etc/tempered',
      args: { source: 's', destination: 'd' },
    });

    expect([options.source, options.destination]).toEqual(['/work/s', '/work/d']);
  });

  it('a missing SOURCE or DESTINATION, or a remote URL, is a usage error naming what to do', () => {
    expect(() => resolveSyncOptions({ ...base, args: { source: 's' } })).toThrow(
      expect.objectContaining({ exitCode: 2, message: 'no DESTINATION given' }),
    );
    expect(() =>
      resolveSyncOptions({ ...base, args: { source: 's', destination: 'sftp://host/x' } }),
    ).toThrow(/only local paths/);
  });
});
