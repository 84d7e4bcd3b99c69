import { describe, expect, it } from 'vitest';
import { compileGlobs, compileProtect } from '../../../src/fs/globs.js';

describe('Function: compileGlobs', () => {
  const match = compileGlobs(['*.tar.gz', 'tmp-*/', 'logs/**/*.log']);

  it('matches a name at any depth when the glob has no slash, and files only', () => {
    expect(match('a.tar.gz', 'file')).toBe('*.tar.gz');
    expect(match('x/y/.hidden.tar.gz', 'file')).toBe('*.tar.gz');
    expect(match('a.tar.gz', 'dir')).toBeUndefined();
  });

  it('matches directories only with a trailing slash, and whole paths with an inner slash', () => {
    expect(match('tmp-1', 'dir')).toBe('tmp-*/');
    expect(match('tmp-1', 'file')).toBeUndefined();
    expect(match('logs/a/b.log', 'file')).toBe('logs/**/*.log');
    expect(match('other/logs/a/b.log', 'file')).toBeUndefined();
  });

  it('never matches a symlink as a directory', () => {
    expect(match('tmp-link', 'symlink')).toBeUndefined();
  });
});

describe('Function: compileProtect', () => {
  it('guards directories as well as files with a glob that has no trailing slash', () => {
    const guard = compileProtect(['*keep*', 'cache/']);
    expect(guard('keep-me.tar.gz', 'file')).toBe('*keep*');
    expect(guard('a/keepers', 'dir')).toBe('*keep*/');
    expect(guard('cache', 'dir')).toBe('cache/');
    expect(guard('cache', 'file')).toBeUndefined();
  });
});
