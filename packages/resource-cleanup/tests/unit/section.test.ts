import { formatIssue } from '@tempered/core';
import { describe, expect, it } from 'vitest';
import { resolveCleanupOptions } from '../../src/options.js';
import { type CleanupSection, cleanupSection } from '../../src/section.js';

/** Parses as the config loader would, throwing its one-line message for the first problem. */
function parse(value: unknown): CleanupSection {
  const result = cleanupSection.safeParse(value);
  if (result.success) return result.data;
  const issues = [...result.error.issues].sort(
    (a, b) => Number(b.code === 'unrecognized_keys') - Number(a.code === 'unrecognized_keys'),
  );
  throw new Error(formatIssue(issues[0] as never, value, 'tempered.yml', ['resource-cleanup']).message);
}

describe('Schema: cleanupSection', () => {
  it('reads fs as the default provider and numbers written as strings', () => {
    const section = parse({
      maxDelete: '200',
      rules: [{ name: 'logs', path: '/var/log/app', match: ['*.log'], keepLatest: '3' }],
    });
    expect(section.maxDelete).toBe(200);
    expect(section.rules?.[0]).toMatchObject({ provider: 'fs', keepLatest: 3 });
  });

  it('names the key of a bad duration, a bad regex, an unknown key and a repeated rule name', () => {
    expect(() => parse({ rules: [{ name: 'a', path: 'x', match: ['*'], olderThan: 'two weeks' }] })).toThrow(
      /resource-cleanup\.rules\[0\]\.olderThan: expected a duration like 12h, 7d or 2w, got "two weeks"/,
    );
    expect(() =>
      parse({
        rules: [{ name: 'r', provider: 'registry', url: 'http://r', repositories: ['a'], tags: '(' }],
      }),
    ).toThrow(/resource-cleanup\.rules\[0\]\.tags: expected a regular expression/);
    expect(() => parse({ rules: [{ name: 'a', path: 'x', match: ['*'], olderThen: '1d' }] })).toThrow(
      /rules\[0\]\.olderThen: unknown key/,
    );
    expect(() =>
      parse({
        rules: [
          { name: 'a', path: 'x', match: ['*'] },
          { name: 'a', path: 'y', match: ['*'] },
        ],
      }),
    ).toThrow(/rules\[1\]\.name: expected a rule name not used before/);
  });

  it('wants at least one match glob and one repository', () => {
    expect(() => parse({ rules: [{ name: 'a', path: 'x', match: [] }] })).toThrow(
      /rules\[0\]\.match: expected a non-empty list/,
    );
    expect(() =>
      parse({ rules: [{ name: 'r', provider: 'registry', url: 'http://r', repositories: [] }] }),
    ).toThrow(/repositories: expected a non-empty list/);
  });
});

describe('Function: resolveCleanupOptions', () => {
  const section: CleanupSection = parse({
    maxDelete: 50,
    rules: [
      { name: 'a', path: 'builds', match: ['*'], olderThan: '2d' },
      { name: 'b', provider: 'registry', url: 'http://r', repositories: ['x'] },
    ],
  });

  it('takes flags over the config over the defaults, and paths from the config file directory', () => {
    const options = resolveCleanupOptions({
      flags: { concurrency: 2 },
      section,
      baseDir: '/etc/tempered',
      configFile: 'f',
    });
    expect(options).toMatchObject({ maxDelete: 50, concurrency: 2 });
    expect(options.rules[0]).toMatchObject({
      path: '/etc/tempered/builds',
      olderThanMs: 2 * 86_400_000,
      trashRetentionMs: 7 * 86_400_000,
    });
    expect(
      resolveCleanupOptions({ flags: { 'max-delete': 0 }, section, baseDir: '/', configFile: 'f' }).maxDelete,
    ).toBe(0);
    expect(
      resolveCleanupOptions({ flags: {}, section: { rules: section.rules }, baseDir: '/', configFile: 'f' }),
    ).toMatchObject({
      maxDelete: 100,
      concurrency: 8,
    });
  });

  it('picks rules with --rule, and refuses an unknown one or an empty rule list', () => {
    const only = resolveCleanupOptions({ flags: { rule: ['b'] }, section, baseDir: '/', configFile: 'f' });
    expect(only.rules.map((rule) => rule.name)).toEqual(['b']);
    expect(() =>
      resolveCleanupOptions({ flags: { rule: ['c'] }, section, baseDir: '/', configFile: 'f' }),
    ).toThrow('unknown rule "c"; known: a, b');
    expect(() =>
      resolveCleanupOptions({ flags: {}, section: {}, baseDir: '/', configFile: undefined }),
    ).toThrow('no cleanup rules configured (no config file found)');
  });
});
