import { lstat, mkdir, mkdtemp, readFile, readlink, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { inspectArtifact } from '../../../src/artifact/inspectArtifact.js';
import { LocalTarget } from '../../../src/target/LocalTarget.js';

let dir: string;
let target: LocalTarget;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'deploy-target-'));
  target = new LocalTarget(join(dir, 'target'));
  await mkdir(join(dir, 'app', 'logs'), { recursive: true });
  await writeFile(join(dir, 'app', 'server.js'), 'ok\n');
  await writeFile(join(dir, 'app', 'logs', 'shipped.log'), 'from the artifact\n');
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('Class: LocalTarget', () => {
  it('a missing target is empty; a file where the target should be is a usage error', async () => {
    expect(await target.inspect()).toEqual({
      exists: false,
      current: undefined,
      releases: [],
      leftovers: [],
    });
    await writeFile(join(dir, 'file'), '');
    await expect(new LocalTarget(join(dir, 'file')).inspect()).rejects.toMatchObject({
      exitCode: 2,
      message: expect.stringContaining('is not a directory'),
    });
  });

  it('prepares a release through .partial, switches current with a relative link, finds leftovers', async () => {
    const artifact = await inspectArtifact(join(dir, 'app'));
    await mkdir(join(dir, 'target', 'releases', 'old.partial'), { recursive: true });
    await target.prepareRelease('v1', artifact, { replace: false });
    await target.switchTo('v1');
    expect(await readlink(join(dir, 'target', 'current'))).toBe('releases/v1');
    const state = await target.inspect();
    expect(state).toMatchObject({ current: 'v1', releases: [{ id: 'v1' }], leftovers: ['old.partial'] });
    await target.removeLeftover('old.partial');
    expect((await target.inspect()).leftovers).toEqual([]);
    await expect(target.removeLeftover('v1')).rejects.toThrow(/not a leftover/);
  });

  it('links shared paths, replacing what the artifact shipped there, and creates missing ones', async () => {
    await target.prepareRelease('v1', await inspectArtifact(join(dir, 'app')), { replace: false });
    await target.linkShared('v1', ['logs', '.env', 'config/']);
    await target.linkShared('v1', ['logs', '.env', 'config/']); // idempotent
    const release = join(dir, 'target', 'releases', 'v1');
    expect(await readlink(join(release, 'logs'))).toBe('../../shared/logs');
    expect((await lstat(join(dir, 'target', 'shared', 'logs'))).isDirectory()).toBe(true);
    expect((await lstat(join(dir, 'target', 'shared', '.env'))).isFile()).toBe(true);
    expect((await lstat(join(dir, 'target', 'shared', 'config'))).isDirectory()).toBe(true);
    await writeFile(join(release, 'logs', 'app.log'), 'written through the link\n');
    expect(await readFile(join(dir, 'target', 'shared', 'logs', 'app.log'), 'utf8')).toContain('through');
  });

  it('never removes the current release', async () => {
    await target.prepareRelease('v1', await inspectArtifact(join(dir, 'app')), { replace: false });
    await target.switchTo('v1');
    await expect(target.removeRelease('v1')).rejects.toThrow(/current points to it/);
  });

  it('refuses to manage a current that is a real directory', async () => {
    await mkdir(join(dir, 'target', 'current'), { recursive: true });
    await expect(target.inspect()).rejects.toThrow(/not a symlink/);
  });

  it('ignores a current that points outside releases/', async () => {
    await mkdir(join(dir, 'target'), { recursive: true });
    await symlink('/tmp', join(dir, 'target', 'current'));
    expect((await target.inspect()).current).toBeUndefined();
  });
});
