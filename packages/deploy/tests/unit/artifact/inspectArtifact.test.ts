import {
  chmod,
  cp,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  readlink,
  rm,
  symlink,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { inspectArtifact, unpackArtifact } from '../../../src/artifact/inspectArtifact.js';
import { extractTarball } from '../../../src/artifact/tarball.js';
import { makeTarGz, type TarMember } from '../../fixtures/tarball.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'deploy-artifact-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function tarball(name: string, members: TarMember[]): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, makeTarGz(members));
  return path;
}

async function app(name = 'app'): Promise<string> {
  const root = join(dir, name);
  await mkdir(join(root, 'lib'), { recursive: true });
  await writeFile(join(root, 'server.js'), 'console.log("hi")\n');
  await writeFile(join(root, 'lib', 'util.js'), 'export {}\n');
  await symlink('lib/util.js', join(root, 'util.js'));
  return root;
}

describe('Function: inspectArtifact', () => {
  describe('a directory', () => {
    it('gives a digest that survives a copy and a mode change other than the executable bit', async () => {
      // Prepare
      const a = await app();
      const b = join(dir, 'copy');
      await cp(a, b, { recursive: true, verbatimSymlinks: true });
      await chmod(join(b, 'server.js'), 0o600);
      // Act
      const [ia, ib] = await Promise.all([inspectArtifact(a), inspectArtifact(b)]);
      // Assess
      expect(ia).toMatchObject({ kind: 'directory', entries: 3, path: a });
      expect(ia.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
      expect(ib.digest).toBe(ia.digest);
    });

    it('changes the digest when content, a name, a link target or the executable bit changes', async () => {
      const a = await app();
      const base = (await inspectArtifact(a)).digest;
      await chmod(join(a, 'server.js'), 0o755);
      const exec = (await inspectArtifact(a)).digest;
      await writeFile(join(a, 'server.js'), 'changed\n');
      const content = (await inspectArtifact(a)).digest;
      expect(new Set([base, exec, content]).size).toBe(3);
    });

    it('refuses a symlink leading out of it, and an empty directory', async () => {
      const a = await app();
      await symlink('../../etc/passwd', join(a, 'lib', 'passwd'));
      await expect(inspectArtifact(a)).rejects.toMatchObject({ exitCode: 2, code: 'E_ARTIFACT' });
      const empty = join(dir, 'empty');
      await mkdir(join(empty, 'only-dirs'), { recursive: true });
      await expect(inspectArtifact(empty)).rejects.toThrow(/is empty/);
    });

    it('copies files, modes and symlinks verbatim', async () => {
      const a = await app();
      await chmod(join(a, 'server.js'), 0o750);
      const info = await inspectArtifact(a);
      const dest = join(dir, 'out');
      await unpackArtifact(info, dest);
      expect((await readdir(dest)).sort()).toEqual(['lib', 'server.js', 'util.js']);
      expect(await readlink(join(dest, 'util.js'))).toBe('lib/util.js');
      expect((await inspectArtifact(dest)).digest).toBe(info.digest);
    });
  });

  describe('a .tar.gz', () => {
    it('accepts a normal archive and extracts it', async () => {
      const file = await tarball('app.tar.gz', [
        { name: './', type: '5' },
        { name: './bin/', type: '5' },
        { name: './bin/app', content: '#!/bin/sh\n', mode: 0o755 },
        { name: './app', type: '2', linkname: 'bin/app' },
      ]);
      const info = await inspectArtifact(file);
      expect(info).toMatchObject({ kind: 'tarball', entries: 2 });
      const dest = join(dir, 'out');
      await unpackArtifact(info, dest);
      expect(await readFile(join(dest, 'bin', 'app'), 'utf8')).toBe('#!/bin/sh\n');
      expect(await readlink(join(dest, 'app'))).toBe('bin/app');
    });

    it.each<[string, TarMember[], RegExp]>([
      [
        'a ".." member',
        [
          { name: 'ok.txt', content: 'x' },
          { name: '../evil.txt', content: 'x' },
        ],
        /"\.\." path/,
      ],
      ['an absolute member', [{ name: '/tmp/evil.txt', content: 'x' }], /absolute path/],
      ['a symlink out', [{ name: 'etc', type: '2', linkname: '/etc' }], /absolute/],
      ['a relative symlink out', [{ name: 'a/up', type: '2', linkname: '../../x' }], /outside/],
      ['a hard link out', [{ name: 'h', type: '1', linkname: '../x' }], /outside/],
      [
        'a file through a symlink',
        [
          { name: 'd', type: '2', linkname: 'sub' },
          { name: 'd/f', content: 'x' },
        ],
        /below the symlink/,
      ],
      ['a device', [{ name: 'null', type: '3' }], /CharacterDevice/],
    ])('refuses %s before extracting anything', async (_label, members, message) => {
      const file = await tarball('evil.tar.gz', members);
      const error = await inspectArtifact(file).catch((e: unknown) => e);
      expect(error).toMatchObject({ exitCode: 2, code: 'E_ARTIFACT' });
      expect((error as Error).message).toMatch(message);
    });

    it('refuses a missing, empty, non-archive or wrongly named file', async () => {
      await expect(inspectArtifact(join(dir, 'missing.tar.gz'))).rejects.toThrow(/does not exist/);
      await writeFile(join(dir, 'zero.tar.gz'), '');
      await expect(inspectArtifact(join(dir, 'zero.tar.gz'))).rejects.toThrow(/is empty \(0 bytes\)/);
      await writeFile(join(dir, 'junk.tar.gz'), 'not a tarball');
      await expect(inspectArtifact(join(dir, 'junk.tar.gz'))).rejects.toThrow(/not a readable \.tar\.gz/);
      await writeFile(join(dir, 'app.zip'), 'PK');
      await expect(inspectArtifact(join(dir, 'app.zip'))).rejects.toThrow(
        /neither a directory nor a \.tar\.gz/,
      );
      const dirsOnly = await tarball('dirs.tar.gz', [{ name: 'a/', type: '5' }]);
      await expect(inspectArtifact(dirsOnly)).rejects.toThrow(/is empty/);
    });

    it('refuses to extract an archive that changed after it was checked', async () => {
      const file = await tarball('app.tgz', [{ name: 'a.txt', content: 'a' }]);
      const info = await inspectArtifact(file);
      await writeFile(file, makeTarGz([{ name: '../a.txt', content: 'a' }]));
      await expect(unpackArtifact(info, join(dir, 'out'))).rejects.toThrow(/changed since it was planned/);
      await expect(readdir(join(dir, 'out'))).rejects.toMatchObject({ code: 'ENOENT' });
    });

    it('extraction filters a bad member even when called without the scan (second line of defence)', async () => {
      const file = await tarball('evil.tgz', [
        { name: 'ok.txt', content: 'ok' },
        { name: 'link', type: '2', linkname: '/tmp' },
        { name: 'link/evil.txt', content: 'x' },
      ]);
      const dest = join(dir, 'deep', 'out');
      await expect(extractTarball(file, dest)).rejects.toThrow(/refused: member "link" .*absolute/);
      expect(await readdir(dest)).toEqual(['ok.txt']);
    });
  });
});
