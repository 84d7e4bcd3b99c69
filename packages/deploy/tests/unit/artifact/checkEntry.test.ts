import { describe, expect, it } from 'vitest';
import {
  type ArtifactEntry,
  checkEntry,
  EntryChecker,
  normalizeEntryPath,
} from '../../../src/artifact/checkEntry.js';

const file = (path: string): ArtifactEntry => ({ path, kind: 'file' });
const symlink = (path: string, linkpath: string): ArtifactEntry => ({ path, kind: 'symlink', linkpath });
const hardlink = (path: string, linkpath: string): ArtifactEntry => ({ path, kind: 'hardlink', linkpath });

describe('Function: normalizeEntryPath', () => {
  it.each([
    ['./', ''],
    ['.', ''],
    ['./a/b/', 'a/b'],
    ['a//b', 'a/b'],
    ['./a/./b', 'a/b'],
  ])('%s -> %s', (input, expected) => {
    expect(normalizeEntryPath(input)).toBe(expected);
  });
});

describe('Function: checkEntry', () => {
  it.each([['./server.js'], ['server.js'], ['a/b/c.txt'], ['./'], ['..hidden/file'], ['dir/..file']])(
    'accepts the member path %s',
    (path) => {
      expect(checkEntry(file(path))).toBeUndefined();
    },
  );

  it.each([
    ['/etc/passwd', 'absolute'],
    ['C:/Windows/x', 'absolute'],
    ['../outside', '".."'],
    ['a/../../outside', '".."'],
    ['a/..', '".."'],
    ['a\\..\\..\\x', '".."'],
    ['a\0b', 'NUL'],
  ])('refuses the member path %j (%s)', (path, why) => {
    expect(checkEntry(file(path))).toContain(why);
  });

  it('accepts symlinks that stay inside the release', () => {
    expect(checkEntry(symlink('bin/app', '../lib/app.js'))).toBeUndefined();
    expect(checkEntry(symlink('current-config', 'config/prod.json'))).toBeUndefined();
    expect(checkEntry(symlink('self', '.'))).toBeUndefined();
  });

  it('refuses symlinks that lead out: absolute, or ".." past the root', () => {
    expect(checkEntry(symlink('etc', '/etc'))).toContain('absolute');
    expect(checkEntry(symlink('up', '..'))).toContain('outside');
    expect(checkEntry(symlink('bin/app', '../../app'))).toContain('outside');
    expect(checkEntry(symlink('a/b/c', '../../../x'))).toContain('outside');
    expect(checkEntry(symlink('empty', ''))).toContain('without a target');
  });

  it('refuses hard links to members outside the archive', () => {
    expect(checkEntry(hardlink('copy', 'server.js'))).toBeUndefined();
    expect(checkEntry(hardlink('copy', '/etc/shadow'))).toContain('absolute');
    expect(checkEntry(hardlink('copy', '../secret'))).toContain('outside');
    expect(checkEntry(hardlink('copy', 'a/../../secret'))).toContain('outside');
  });

  it('refuses a name longer than a filesystem allows (255 bytes), and takes one of 255', () => {
    expect(checkEntry(file(`dir/${'€'.repeat(86)}`))).toBe(
      'has a name of 258 bytes, over the 255 a filesystem allows',
    );
    expect(checkEntry(file(`${'a'.repeat(256)}/x`))).toMatch(/^has a name of 256 bytes/);
    expect(checkEntry(file(`dir/${'€'.repeat(85)}`))).toBeUndefined();
  });

  it('refuses devices and FIFOs', () => {
    expect(checkEntry({ path: 'dev/null', kind: 'other', typeName: 'CharacterDevice' })).toContain(
      'CharacterDevice',
    );
  });
});

describe('Class: EntryChecker', () => {
  it('refuses a member written through a symlink of the same archive', () => {
    const checker = new EntryChecker();
    expect(checker.check(symlink('./logs', 'var/log'))).toBeUndefined();
    expect(checker.check(file('./logs/app.log'))).toContain('below the symlink "logs"');
    expect(checker.check(file('./logsx/app.log'))).toBeUndefined();
  });

  it('counts files and links, not directories: an archive of directories only is empty', () => {
    const checker = new EntryChecker();
    checker.check({ path: './', kind: 'directory' });
    checker.check({ path: './a/', kind: 'directory' });
    expect(checker.contentEntries).toBe(0);
    checker.check(file('./a/b'));
    checker.check(symlink('./c', 'a/b'));
    expect(checker.contentEntries).toBe(2);
  });
});
