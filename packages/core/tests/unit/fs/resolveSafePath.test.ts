import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NotFoundError, UsageError } from '../../../src/errors/index.js';
import { isInside, PathEscapeError, resolveSafePath } from '../../../src/fs/index.js';

describe('Function: isInside', () => {
  it.each([
    ['/a', '/a', true],
    ['/a', '/a/b/c', true],
    ['/a/', '/a/b', true],
    ['/a', '/a/../a/b', true],
    ['/a', '/ab', false],
    ['/a', '/', false],
    ['/a/b', '/a', false],
    ['/a', '/a/..b', true],
    ['/a', '/b/a', false],
  ])('isInside(%s, %s) is %s', (parent, child, expected) => {
    expect(isInside(parent, child)).toBe(expected);
  });
});

describe('Function: resolveSafePath', () => {
  let base: string;
  let root: string;
  let outside: string;

  beforeEach(async () => {
    base = await mkdtemp(join(tmpdir(), 'tempered-safepath-'));
    root = join(base, 'root');
    outside = join(base, 'outside');
    await mkdir(join(root, 'sub'), { recursive: true });
    await mkdir(outside);
    await writeFile(join(root, 'sub', 'file.txt'), 'x');
    await writeFile(join(outside, 'secret.txt'), 'x');
  });

  afterEach(async () => {
    await rm(base, { recursive: true, force: true });
  });

  it('resolves a relative path inside the root', async () => {
    await expect(resolveSafePath(root, 'sub/file.txt')).resolves.toBe(join(root, 'sub', 'file.txt'));
    await expect(resolveSafePath(root, 'sub/../new/file')).resolves.toBe(join(root, 'new', 'file'));
    await expect(resolveSafePath(root, '.')).resolves.toBe(root);
  });

  it('accepts an absolute path that lies inside the root', async () => {
    await expect(resolveSafePath(root, join(root, 'sub'))).resolves.toBe(join(root, 'sub'));
  });

  it.each(['../outside/secret.txt', 'sub/../../outside', '..', '/etc/passwd'])(
    'rejects %s as an escape, naming path and root',
    async (userPath) => {
      // Act
      const error = await resolveSafePath(root, userPath).catch((e: unknown) => e);
      // Assess
      expect(error).toBeInstanceOf(PathEscapeError);
      expect(error).toBeInstanceOf(UsageError);
      const escaped = error as PathEscapeError;
      expect(escaped.code).toBe('E_PATH_ESCAPE');
      expect(escaped.exitCode).toBe(2);
      expect(escaped.message).toContain(JSON.stringify(userPath));
      expect(escaped.message).toContain(root);
      expect(escaped.message).not.toContain('\n');
      expect(escaped.root).toBe(root);
    },
  );

  it('rejects a NUL byte', async () => {
    await expect(resolveSafePath(root, 'sub/file.txt\0.png')).rejects.toMatchObject({
      code: 'E_PATH_ESCAPE',
    });
  });

  it('rejects a symlinked directory that points out of the root', async () => {
    await symlink(outside, join(root, 'link'));
    await expect(resolveSafePath(root, 'link/secret.txt')).rejects.toThrow(/symlink/);
    // a path to create under the escaping link is as dangerous as an existing one
    await expect(resolveSafePath(root, 'link/new/deeper.txt')).rejects.toBeInstanceOf(PathEscapeError);
  });

  it('rejects a dangling symlink whose target would be created outside the root', async () => {
    await symlink(join(outside, 'not-yet'), join(root, 'dangling'));
    await expect(resolveSafePath(root, 'dangling')).rejects.toBeInstanceOf(PathEscapeError);
    await expect(resolveSafePath(root, 'dangling/child')).rejects.toBeInstanceOf(PathEscapeError);
  });

  it('rejects a symlink loop', async () => {
    await symlink(join(root, 'loop-b'), join(root, 'loop-a'));
    await symlink(join(root, 'loop-a'), join(root, 'loop-b'));
    await expect(resolveSafePath(root, 'loop-a/x')).rejects.toBeInstanceOf(PathEscapeError);
  });

  it('accepts a symlink that stays inside the root and returns the lexical path', async () => {
    await symlink(join(root, 'sub'), join(root, 'alias'));
    await expect(resolveSafePath(root, 'alias/file.txt')).resolves.toBe(join(root, 'alias', 'file.txt'));
  });

  it('works when the root itself is reached through a symlink', async () => {
    await symlink(root, join(base, 'root-link'));
    await expect(resolveSafePath(join(base, 'root-link'), 'sub/file.txt')).resolves.toBe(
      join(base, 'root-link', 'sub', 'file.txt'),
    );
  });

  it('with mustExist, throws NotFoundError for a missing path', async () => {
    await expect(resolveSafePath(root, 'sub/file.txt', { mustExist: true })).resolves.toBeDefined();
    await expect(resolveSafePath(root, 'sub/missing', { mustExist: true })).rejects.toBeInstanceOf(
      NotFoundError,
    );
  });

  it('accepts paths under a root that does not exist yet', async () => {
    await expect(resolveSafePath(join(base, 'later'), 'a/b')).resolves.toBe(join(base, 'later', 'a', 'b'));
    await expect(resolveSafePath(join(base, 'later'), '../x')).rejects.toBeInstanceOf(PathEscapeError);
  });
});
