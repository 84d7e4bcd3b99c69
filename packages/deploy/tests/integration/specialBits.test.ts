/**
 * Issue 14, items 1 and 2: an artifact never hands out setuid, setgid or sticky bits (a root
 * deploy would ship a setuid program that the archive, or the build user, put there), unless the
 * config says `keepSpecialBits: true`. One warning per stripped entry.
 */
import { chmod, lstat, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeTarGz } from '../fixtures/tarball.js';
import { makeApp, targetOf, workspace, writeDeployConfig } from './helpers.js';

const UMASK = 0o022; // the CLI's: testkit starts it with the default umask of this process
const modeOf = async (path: string) => (await lstat(path)).mode & 0o7777;

describe('special bits from an artifact', () => {
  it('are stripped from a tarball, each with a warning; kept with keepSpecialBits', async () => {
    const ws = await workspace();
    // two builds (a redeploy of the same digest would change nothing)
    const build = (version: string) =>
      makeTarGz([
        { name: 'bin/', type: '5', mode: 0o755 },
        { name: 'bin/suid', content: '#!/bin/sh\n', mode: 0o4755 },
        { name: 'bin/sgid', content: '#!/bin/sh\n', mode: 0o2755 },
        { name: 'shared-tmp/', type: '5', mode: 0o1777 },
        { name: 'plain', content: version, mode: 0o640 },
      ]);
    const tarball = ws.path('one.tar.gz');
    const second = ws.path('two.tar.gz');
    await writeFile(tarball, build('one'));
    await writeFile(second, build('two'));

    const stripped = await ws.run([
      'release',
      tarball,
      '--version',
      'one',
      '--config',
      await writeDeployConfig(ws),
    ]);
    const kept = await ws.run([
      'release',
      second,
      '--version',
      'two',
      '--config',
      await writeDeployConfig(ws, { keepSpecialBits: true }),
    ]);

    expect(stripped.code, stripped.stderr).toBe(0);
    expect(kept.code, kept.stderr).toBe(0);
    const one = join(targetOf(ws), 'releases', 'one');
    const two = join(targetOf(ws), 'releases', 'two');
    expect(await modeOf(join(one, 'bin/suid'))).toBe(0o755);
    expect(await modeOf(join(one, 'bin/sgid'))).toBe(0o755);
    // node-tar applies the process umask to what it creates, as tar does for a non-root user
    expect(await modeOf(join(one, 'shared-tmp'))).toBe(0o777 & ~UMASK);
    expect(await modeOf(join(one, 'plain'))).toBe(0o640);
    const warnings = stripped.logs.filter(
      (line) => line.level === 40 && String(line.msg).startsWith('setuid/'),
    );
    expect(warnings.map((line) => [line.member, line.mode]).sort()).toEqual([
      ['bin/sgid', '02755'],
      ['bin/suid', '04755'],
      ['shared-tmp/', '01777'],
    ]);
    expect(await modeOf(join(two, 'bin/suid'))).toBe(0o4755);
    expect(await modeOf(join(two, 'shared-tmp'))).toBe(0o1777 & ~UMASK);
    expect(kept.logs.filter((line) => String(line.msg).startsWith('setuid/'))).toEqual([]);
  });

  it('are stripped from a directory artifact, files and directories alike', async () => {
    const ws = await workspace();
    const app = await makeApp(ws, 'one');
    await writeFile(join(app, 'lib', 'helper'), '#!/bin/sh\n');
    await chmod(join(app, 'lib', 'helper'), 0o4755);
    await mkdir(join(app, 'group-dir'));
    await chmod(join(app, 'group-dir'), 0o2775);

    const run = await ws.run(['release', app, '--version', 'one', '--config', await writeDeployConfig(ws)]);

    expect(run.code, run.stderr).toBe(0);
    const release = join(targetOf(ws), 'releases', 'one');
    expect(await modeOf(join(release, 'lib', 'helper'))).toBe(0o755);
    expect(await modeOf(join(release, 'group-dir'))).toBe(0o775);
    const warned = run.logs
      .filter((line) => String(line.msg).startsWith('setuid/'))
      .map((line) => line.member);
    expect(warned.sort()).toEqual(['group-dir', 'lib/helper']);
  });
});
