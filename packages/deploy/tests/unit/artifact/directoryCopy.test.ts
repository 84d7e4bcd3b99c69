/**
 * A directory artifact is copied from what was checked: a build user who owns the directory can
 * change it between the plan and the copy, or while it is copied (symlinks in place of files or
 * directories, other content), and a root deploy must neither follow those links nor ship what
 * was not planned. Files never carry a special bit on disk, not even while they are written.
 */
import { existsSync } from 'node:fs';
import {
  chmod,
  lstat,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  rename,
  rm,
  symlink,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { copyDirectory } from '../../../src/artifact/directory.js';
import type { SpaceWatch } from '../../../src/artifact/freeSpace.js';
import { inspectArtifact, unpackArtifact } from '../../../src/artifact/inspectArtifact.js';
import { ArtifactError } from '../../../src/errors.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'deploy-copy-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A build output, and a directory outside it standing for /etc or /root. */
async function build(): Promise<{ app: string; outside: string }> {
  const app = join(dir, 'app');
  const outside = join(dir, 'outside');
  await mkdir(join(app, 'sub'), { recursive: true });
  await mkdir(outside);
  await writeFile(join(app, 'app'), '#!/bin/sh\necho app\n');
  await writeFile(join(app, 'sub', 'a'), 'a\n');
  await writeFile(join(app, 'sub', 'b'), 'b\n');
  await writeFile(join(outside, 'b'), 'SECRET\n');
  await writeFile(join(outside, 'shadow'), 'SECRET\n');
  return { app, outside };
}

/** Every file under `root`, read, for "nothing of outside was copied". */
async function contents(root: string): Promise<string[]> {
  if (!existsSync(root)) return [];
  const names = (await readdir(root, { recursive: true })) as string[];
  const out: string[] = [];
  for (const name of names) {
    const info = await lstat(join(root, name));
    if (info.isFile()) out.push(await readFile(join(root, name), 'utf8'));
  }
  return out;
}

/** A SpaceWatch whose wrote() runs `hook` (a build user acting while the copy runs). */
function watchWith(hook: (bytes: number) => Promise<void>): SpaceWatch {
  return { wrote: hook } as unknown as SpaceWatch;
}

describe('Function: unpackArtifact of a directory changed after its plan', () => {
  const cases: [string, (app: string, outside: string) => Promise<void>, string][] = [
    ['a symlink added that leads out', (app) => symlink('/etc', join(app, 'escape')), '"escape"'],
    [
      'a directory replaced by a symlink leading out',
      async (app, outside) => {
        await rm(join(app, 'sub'), { recursive: true });
        await symlink(outside, join(app, 'sub'));
      },
      '"sub"',
    ],
    [
      'a file replaced by a symlink to a secret',
      async (app, outside) => {
        await rm(join(app, 'app'));
        await symlink(join(outside, 'shadow'), join(app, 'app'));
      },
      '"app"',
    ],
    ['a file given other content', (app) => writeFile(join(app, 'sub', 'a'), 'other\n'), '"sub/a"'],
  ];
  for (const [what, change, member] of cases) {
    it(`refuses ${what}, naming the member, and leaves no release behind`, async () => {
      const { app, outside } = await build();
      const info = await inspectArtifact(app);
      await change(app, outside);
      const dest = join(dir, 'releases', 'r1.partial');
      await mkdir(join(dir, 'releases'));

      const error = await unpackArtifact(info, dest).catch((e: unknown) => e);

      expect(error).toBeInstanceOf(ArtifactError);
      expect((error as ArtifactError).message).toContain(member);
      expect((error as ArtifactError).message).toContain('changed since it was checked');
      expect(existsSync(dest)).toBe(false);
    });
  }

  it('still copies an unchanged directory', async () => {
    const { app } = await build();
    await symlink('sub/a', join(app, 'link'));
    const info = await inspectArtifact(app);
    const dest = join(dir, 'release');

    await unpackArtifact(info, dest);

    expect(await readFile(join(dest, 'sub', 'b'), 'utf8')).toBe('b\n');
    expect(await readFile(join(dest, 'link'), 'utf8')).toBe('a\n');
  });
});

describe('Function: copyDirectory while the artifact changes under it', () => {
  it('never reads through a directory swapped for a symlink mid-copy', async () => {
    const { app, outside } = await build();
    const dest = join(dir, 'release');
    let swapped = false;
    // sub/a is copied, then sub/ becomes a link to outside/ (which holds a "b" too)
    const watch = watchWith(async () => {
      if (swapped || !existsSync(join(dest, 'sub', 'a'))) return;
      swapped = true;
      await rename(join(app, 'sub'), join(dir, 'sub.old'));
      await symlink(outside, join(app, 'sub'));
    });

    const error = await copyDirectory(app, dest, { watch }).catch((e: unknown) => e);

    expect(swapped).toBe(true);
    // either refused or copied from the directory that was open: never outside's content
    if (error !== undefined) expect(error).toBeInstanceOf(ArtifactError);
    expect(await contents(dest)).not.toContain('SECRET\n');
    if (error === undefined) expect(await readFile(join(dest, 'sub', 'b'), 'utf8')).toBe('b\n');
  });

  it('refuses a symlink leading out that appears mid-copy, re-checking every entry', async () => {
    const { app } = await build();
    const dest = join(dir, 'release');
    const watch = watchWith(async () => {
      if (!existsSync(join(app, 'sub', 'c'))) await symlink('/etc/shadow', join(app, 'sub', 'c'));
    });

    const error = await copyDirectory(app, dest, { watch }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ArtifactError);
    expect((error as Error).message).toContain('"sub/c"');
  });

  it('writes a setuid file at 0600, exclusively, in a 0700 directory, then sets the stripped mode', async () => {
    const { app } = await build();
    await writeFile(join(app, 'suid'), Buffer.alloc(3 * 1024 * 1024, 1));
    await chmod(join(app, 'suid'), 0o4755);
    const dest = join(dir, 'release');
    const seen: number[] = [];
    const destModes = new Set<number>();
    const stripped: string[] = [];
    // wrote() comes while the file's content is going in: what is on disk then
    const watch = watchWith(async () => {
      destModes.add((await lstat(dest)).mode & 0o7777);
      const info = await lstat(join(dest, 'suid')).catch(() => undefined);
      if (info !== undefined) seen.push(info.mode & 0o7777);
    });

    await copyDirectory(app, dest, { watch, onStripped: (member) => stripped.push(member) });

    expect(seen.length).toBeGreaterThan(0);
    expect(seen.filter((mode) => mode & 0o7000)).toEqual([]);
    expect(seen).toContain(0o600);
    expect([...destModes]).toEqual([0o700]);
    expect((await lstat(join(dest, 'suid'))).mode & 0o7777).toBe(0o755);
    expect((await lstat(dest)).mode & 0o777).not.toBe(0o700);
    expect(stripped).toEqual(['suid']);
  });
});
