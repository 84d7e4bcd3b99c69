/**
 * Issue 14, item 3: every symlink of an artifact is resolved through the other links of the
 * release, as the kernel will resolve it once the release is live. Links that each stay inside
 * but lead out together (`a -> b/..`, `b -> ../..`) refuse the artifact, exit 2, naming the
 * member; so do loops and chains longer than the kernel follows. Tarballs and directories alike.
 */
import { mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { listTree, type Workspace } from '@tempered/testkit';
import { describe, expect, it } from 'vitest';
import { makeTarGz, type TarMember } from '../fixtures/tarball.js';
import {
  currentOf,
  errorLine,
  makeApp,
  releaseOk,
  targetOf,
  workspace,
  writeDeployConfig,
} from './helpers.js';

const app: TarMember[] = [
  { name: 'version', content: 'v2\n' },
  { name: 'x/', type: '5' },
  { name: 'x/y/', type: '5' },
];

const CHAINS: [string, TarMember[], RegExp][] = [
  [
    'a chain of two links, each inside on its own',
    [...app, { name: 'x/y/b', type: '2', linkname: '../..' }, { name: 'x/y/a', type: '2', linkname: 'b/..' }],
    /member "x\/y\/a" is a symlink whose chain of links leads outside the release \(b\/\.\.\)/,
  ],
  [
    'a hard link to an inside symlink, moved where it leads out',
    [...app, { name: 'x/y/b', type: '2', linkname: '../..' }, { name: 'b', type: '1', linkname: 'x/y/b' }],
    /member "b" is a symlink whose chain of links leads outside the release/,
  ],
  [
    'a directory replaced by a link after a link went through it',
    [
      ...app,
      { name: 'lib/', type: '5' },
      { name: 'lib/x/', type: '5' },
      { name: 'up', type: '2', linkname: 'lib/x/../..' },
      { name: 'lib/x', type: '2', linkname: '.' },
    ],
    /member "up" is a symlink whose chain of links leads outside/,
  ],
  [
    'a loop',
    [...app, { name: 'x/y/a', type: '2', linkname: 'b' }, { name: 'x/y/b', type: '2', linkname: 'a' }],
    /member "x\/y\/[ab]" is a symlink that does not resolve: a loop/,
  ],
];

async function expectRefused(ws: Workspace, args: string[], message: RegExp): Promise<void> {
  const before = await listTree(targetOf(ws));
  const result = await ws.run(args);
  expect(result.code, result.stderr).toBe(2);
  expect(result.stdout).toBe('');
  expect(errorLine(result)?.msg).toMatch(message);
  expect(await listTree(targetOf(ws))).toEqual(before);
  expect(await currentOf(ws)).toBe('releases/v1');
}

describe('symlink chains in an artifact', () => {
  it.each(CHAINS)(
    'a tarball with %s is refused, exit 2, nothing changed',
    async (_label, members, message) => {
      const ws = await workspace();
      const config = await writeDeployConfig(ws);
      await releaseOk(ws, 'v1', config);
      const tarball = ws.path('chain.tar.gz');
      await writeFile(tarball, makeTarGz(members));

      await expectRefused(ws, ['release', tarball, '--version', 'v2', '--config', config], message);
    },
  );

  it('a directory artifact with a chain leading out is refused, exit 2, nothing changed', async () => {
    const ws = await workspace();
    const config = await writeDeployConfig(ws);
    await releaseOk(ws, 'v1', config);
    const build = await makeApp(ws, 'v2');
    await mkdir(join(build, 'x', 'y'), { recursive: true });
    await symlink('../..', join(build, 'x', 'y', 'b'));
    await symlink('b/..', join(build, 'x', 'y', 'a'));

    await expectRefused(
      ws,
      ['release', build, '--version', 'v2', '--config', config],
      /"x\/y\/a" is a symlink whose chain of links leads outside the release/,
    );
  });

  it('chains that stay inside deploy as they are, and resolve inside the release', async () => {
    const ws = await workspace();
    const config = await writeDeployConfig(ws);
    const tarball = ws.path('fine.tar.gz');
    await writeFile(
      tarball,
      // links through links first: node-tar refuses to create one through a link that exists
      makeTarGz([
        { name: 'app', type: '2', linkname: 'current/bin/app' },
        { name: 'x/y/a', type: '2', linkname: 'b/x/..' },
        { name: 'x/y/b', type: '2', linkname: '../..' },
        { name: 'current', type: '2', linkname: 'v1' },
        { name: 'v1/bin/app', content: 'app\n' },
      ]),
    );

    const result = await ws.run(['release', tarball, '--version', 'v1', '--config', config]);

    expect(result.code, result.stderr).toBe(0);
    const release = join(targetOf(ws), 'releases', 'v1');
    expect(await readFile(join(release, 'app'), 'utf8')).toBe('app\n');
    expect(await readFile(join(release, 'x/y/a/v1/bin/app'), 'utf8')).toBe('app\n');
  });
});
