import { mkdir, writeFile } from 'node:fs/promises';
import { listTree, type Workspace } from '@tempered/testkit';
import { describe, expect, it } from 'vitest';
import { makeTarGz, type TarMember, withPaxPath } from '../fixtures/tarball.js';
import {
  currentOf,
  errorLine,
  makeApp,
  releaseOk,
  targetOf,
  workspace,
  writeDeployConfig,
} from './helpers.js';

const ATTACKS: [string, TarMember[], RegExp][] = [
  [
    'a ".." member',
    [
      { name: 'index.js', content: 'ok' },
      { name: '../../escaped.txt', content: 'pwned' },
    ],
    /member "\.\.\/\.\.\/escaped\.txt" has a "\.\." path segment/,
  ],
  ['an absolute member', [{ name: '/tmp/escaped.txt', content: 'pwned' }], /has an absolute path/],
  [
    'a name longer than a filesystem allows',
    [
      { name: 'index.js', content: 'ok' },
      ...withPaxPath(`lib/${'n'.repeat(300)}.js`, { name: 'lib/long.js', content: 'x' }),
    ],
    /has a name of 303 bytes, over the 255 a filesystem allows/,
  ],
  [
    'a symlink escaping the release',
    [
      { name: 'index.js', content: 'ok' },
      { name: 'logs', type: '2', linkname: '../../../outside' },
    ],
    /is a symlink pointing outside the release/,
  ],
  [
    'a file written through a symlink',
    [
      { name: 'etc', type: '2', linkname: 'conf' },
      { name: 'etc/passwd', content: 'pwned' },
    ],
    /lies below the symlink "etc"/,
  ],
  [
    'a hard link to outside',
    [{ name: 'shadow', type: '1', linkname: '../../etc/shadow' }],
    /hardlink pointing outside/,
  ],
];

async function expectRefused(ws: Workspace, args: string[], message: RegExp): Promise<void> {
  const before = await listTree(targetOf(ws));
  const result = await ws.run(args);
  expect(result.code, result.stderr).toBe(2);
  expect(result.stdout).toBe('');
  expect(errorLine(result)?.msg).toMatch(message);
  // nothing changed on the target: not even a lock directory
  expect(await listTree(targetOf(ws))).toEqual(before);
}

describe('bad input: a clear error, exit 2, nothing changed on the target', () => {
  it.each(ATTACKS)(
    'a tarball with %s is refused before anything is extracted',
    async (_label, members, message) => {
      const ws = await workspace();
      const config = await writeDeployConfig(ws);
      // an existing release, so "nothing changed" covers current and the release log too
      await releaseOk(ws, 'v1', config);
      const tarball = ws.path('evil.tar.gz');
      await writeFile(tarball, makeTarGz(members));

      await expectRefused(ws, ['release', tarball, '--version', 'v2', '--config', config], message);
      expect(await currentOf(ws)).toBe('releases/v1');
    },
  );

  it('missing, empty and unsupported artifacts; an unsafe --version; a target that is a file', async () => {
    const ws = await workspace();
    const config = await writeDeployConfig(ws);
    await expectRefused(
      ws,
      ['release', ws.path('nope'), '--config', config],
      /artifact .*nope does not exist/,
    );
    await mkdir(ws.path('empty', 'sub'), { recursive: true });
    await expectRefused(
      ws,
      ['release', ws.path('empty'), '--config', config],
      /is empty: no files in the directory/,
    );
    await writeFile(ws.path('zero.tar.gz'), '');
    await expectRefused(ws, ['release', ws.path('zero.tar.gz'), '--config', config], /is empty \(0 bytes\)/);
    await writeFile(ws.path('notes.txt'), 'hello');
    await expectRefused(
      ws,
      ['release', ws.path('notes.txt'), '--config', config],
      /neither a directory nor a \.tar\.gz/,
    );
    const app = await makeApp(ws, 'v1');
    await expectRefused(
      ws,
      ['release', app, '--version', '../v1', '--config', config],
      /--version "\.\.\/v1" cannot name a release/,
    );
    await expectRefused(ws, ['release', '.', '--config', config], /lies inside the artifact \./);
    expect(await listTree(targetOf(ws))).toEqual([]);

    await writeFile(targetOf(ws), 'not a directory');
    const result = await ws.run(['release', app, '--config', config, '--json']);
    expect(result.code).toBe(2);
    expect(JSON.parse(result.stdout).error).toMatchObject({
      code: 'E_USAGE',
      message: `deploy target ${targetOf(ws)} is not a directory`,
    });
  });

  it('no target configured is a usage error naming the key to set', async () => {
    const ws = await workspace();
    const result = await ws.run(['release', await makeApp(ws, 'v1')]);
    expect(result.code).toBe(2);
    expect(errorLine(result)?.msg).toContain('no deploy target for environment "default"');
    expect(errorLine(result)?.msg).toContain('deploy.target.path');
  });

  it('a misspelt key inside the deploy section gets a did-you-mean, as top-level keys do', async () => {
    const ws = await workspace();
    const config = await ws.writeConfig('typo.json', {
      environments: { prod: { deploy: { target: { path: targetOf(ws) }, keepRelease: 3 } } },
    });
    const result = await ws.run(['release', await makeApp(ws, 'v1'), '--config', config, '-e', 'prod']);
    expect(result.code).toBe(2);
    expect(errorLine(result)).toMatchObject({
      code: 'E_CONFIG',
      msg: expect.stringContaining(
        'environments.prod.deploy.keepRelease: unknown key, did you mean "keepReleases"? (hint: rename "keepRelease" to "keepReleases")',
      ),
    });
    expect(await currentOf(ws)).toBeUndefined();
  });

  it('a protected environment without --yes (no terminal) changes nothing; with --yes it deploys', async () => {
    const ws = await workspace();
    const config = await ws.writeConfig('protected.json', {
      environments: { prod: { protected: true, deploy: { target: { path: targetOf(ws) } } } },
    });
    const app = await makeApp(ws, 'v1');
    await expectRefused(
      ws,
      ['release', app, '-e', 'prod', '--config', config],
      /environment "prod" is protected/,
    );
    expect(await listTree(targetOf(ws))).toEqual([]);
    const confirmed = await ws.run(['release', app, '-e', 'prod', '--config', config, '--yes']);
    expect(confirmed.code, confirmed.stderr).toBe(0);
    expect(await currentOf(ws)).toMatch(/^releases\/\d{8}T\d{6}Z-[0-9a-f]{8}$/);
  });
});
