import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ANSI, listTree, messages } from '@tempered/testkit';
import { describe, expect, it } from 'vitest';
import {
  currentOf,
  errorLine,
  expectCompleteRelease,
  healthCheckedConfig,
  makeApp,
  releaseLog,
  releaseOk,
  releasesOf,
  targetOf,
  workspace,
  writeDeployConfig,
} from './helpers.js';

describe('deploy release', () => {
  it('deploys, then a redeploy of the same artifact is a no-op, then a second release switches healthily', async () => {
    // Prepare
    const ws = await workspace();
    const { server, config } = await healthCheckedConfig(ws, {
      shared: ['logs', '.env'],
      hooks: {
        beforeSwitch: ['echo "before $DEPLOY_RELEASE in $(basename $(pwd))"; test -L logs'],
        afterSwitch: ['echo "after $DEPLOY_RELEASE (previous: $DEPLOY_PREVIOUS_RELEASE)"'],
      },
    });
    const v1 = await makeApp(ws, 'v1');
    const v2 = await makeApp(ws, 'v2');

    // Act 1: first release
    const first = await ws.run(['release', v1, '--version', 'v1', '--config', config]);

    // Assess 1
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain('+ releases/v1 (applied)');
    expect(first.stdout.trim().split('\n').at(-1)).toBe(`Released v1 to ${targetOf(ws)}.`);
    expect(ANSI.test(first.stderr)).toBe(false);
    expect(await currentOf(ws)).toBe('releases/v1');
    await expectCompleteRelease(ws, 'v1');
    const hookLines = first.logs.filter((l) => l.msg === 'hook output').map((l) => [l.hook, l.line]);
    expect(hookLines).toEqual([
      ['beforeSwitch', 'before v1 in v1'],
      ['afterSwitch', 'after v1 (previous: )'],
    ]);
    expect(await readFile(join(targetOf(ws), 'releases', 'v1', 'version'), 'utf8')).toBe('v1\n');
    expect(server.hits).toBeGreaterThanOrEqual(1);

    // Act 2: the same artifact again, without --version
    const again = await ws.run(['release', v1, '--config', config]);

    // Assess 2: nothing happened, exit 0
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/^Release v1 is already deployed \([0-9a-f]{12}\): nothing to do\.\n/);
    expect(messages(again)).toContain('already deployed');
    expect(messages(again)).not.toContain('hook started');
    expect(await releasesOf(ws)).toEqual(['v1']);

    // Act 3: a second release
    const second = await ws.run(['release', v2, '--version', 'v2', '--config', config]);

    // Assess 3
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout.trim().split('\n').at(-1)).toBe(
      `Released v2 to ${targetOf(ws)} (previous good: v1).`,
    );
    expect(await currentOf(ws)).toBe('releases/v2');
    expect(second.logs.filter((l) => l.msg === 'hook output').map((l) => l.line)).toEqual([
      'before v2 in v2',
      'after v2 (previous: v1)',
    ]);
    const log = await releaseLog(ws);
    expect(log.pending).toBeUndefined();
    expect(log.releases.map((r) => [r.id, r.status])).toEqual([
      ['v1', 'good'],
      ['v2', 'good'],
    ]);
    expect(log.releases[1]).toMatchObject({
      version: 'v2',
      digest: expect.stringMatching(/^sha256:[0-9a-f]{64}$/),
      deployedBy: expect.stringContaining('@'),
      durationMs: expect.any(Number),
      artifact: v2,
    });

    // list and status read it back
    const list = await ws.run(['list', '--config', config, '--json']);
    expect(list.code).toBe(0);
    const listed = JSON.parse(list.stdout).result;
    expect(listed.releases.map((r: { id: string; current: boolean }) => [r.id, r.current])).toEqual([
      ['v2', true],
      ['v1', false],
    ]);
    const status = await ws.run(['status', '--config', config]);
    expect(status.stdout).toContain('current:  v2 (good, ');
    expect(status.stdout).toContain('lock:     free');
    expect(status.stdout).toMatch(/last run: release success \(exit 0\)/);
  });

  it('keeps N releases: cleanup removes the oldest, never the previous good one; dry-run shows it and changes nothing', async () => {
    const ws = await workspace();
    const config = await writeDeployConfig(ws, { keepReleases: 2 });
    for (const name of ['r1', 'r2', 'r3']) await releaseOk(ws, name, config);
    expect(await releasesOf(ws)).toEqual(['r2', 'r3']);
    expect((await releaseLog(ws)).releases.find((r) => r.id === 'r1')?.removedAt).toEqual(expect.any(String));

    // Dry-run of r4: the whole plan, including the removal of r2, and nothing touched
    const r4 = await makeApp(ws, 'r4');
    const before = await listTree(targetOf(ws));
    const dry = await ws.run(['release', r4, '--version', 'r4', '--config', config, '--dry-run']);
    expect(dry.code).toBe(0);
    expect(dry.stdout.split('\n')).toEqual([
      `deploy release -> ${targetOf(ws)} [default]`,
      '~ release-log.json (record r4 as deploying (previous good: r3))',
      expect.stringMatching(/^\+ releases\/r4 \(copy .*builds\/r4 \(3 entries, [0-9a-f]{12}\)\)$/),
      '~ current (releases/r3 -> releases/r4)',
      '- releases/r2 (beyond keepReleases=2)',
      '~ release-log.json (record r4 as good)',
      'Plan: 1 to create, 3 to update, 1 to delete, 0 unchanged.',
      '',
    ]);
    expect(await listTree(targetOf(ws))).toEqual(before);
    const json = await ws.run(['release', r4, '--version', 'r4', '--config', config, '--dry-run', '--json']);
    const plan = JSON.parse(json.stdout).result.plan;
    expect(plan.actions.map((a: { id: string }) => a.id)).toContain(
      `remove:r2@${plan.actions[0].details.attempt}`,
    );

    // A failed release in between does not count as good: with keep=1 the previous good is kept
    const one = await writeDeployConfig(ws, { keepReleases: 1, hooks: { beforeSwitch: ['exit 3'] } });
    const failed = await ws.run(['release', await makeApp(ws, 'bad'), '--version', 'bad', '--config', one]);
    expect(failed.code).toBe(1);
    const keepOne = await writeDeployConfig(ws, { keepReleases: 1 });
    const r5 = await ws.run(['release', await makeApp(ws, 'r5'), '--version', 'r5', '--config', keepOne]);
    expect(r5.code, r5.stderr).toBe(0);
    // r5 is current, r3 the previous good; r2 and the failed release go
    expect(await releasesOf(ws)).toEqual(['r3', 'r5']);
  });

  it('refuses (exit 2) to reuse a version for another artifact, replaces it with --force unless it is current', async () => {
    const ws = await workspace();
    const config = await writeDeployConfig(ws);
    const a = await makeApp(ws, 'a');
    const b = await makeApp(ws, 'b');
    expect((await ws.run(['release', a, '--version', '1.0', '--config', config])).code).toBe(0);
    expect((await ws.run(['release', b, '--version', '2.0', '--config', config])).code).toBe(0);

    const reuse = await ws.run(['release', b, '--version', '1.0', '--config', config, '--json']);
    expect(reuse.code).toBe(2);
    expect(JSON.parse(reuse.stdout).error).toMatchObject({
      code: 'E_USAGE',
      message: expect.stringContaining('release 1.0 already exists with digest'),
      hint: expect.stringContaining('--force'),
    });

    const current = await ws.run(['release', a, '--version', '2.0', '--config', config, '--force']);
    expect(current.code).toBe(2);
    expect(errorLine(current)?.msg).toContain('is current and cannot be replaced');

    const forced = await ws.run(['release', b, '--version', '1.0', '--config', config, '--force']);
    expect(forced.code, forced.stderr).toBe(0);
    expect(forced.stdout).toContain('~ releases/1.0 (applied)');
    expect(await readFile(join(targetOf(ws), 'releases', '1.0', 'version'), 'utf8')).toBe('b\n');
    expect(await currentOf(ws)).toBe('releases/1.0');
  });

  it('deploys a .tar.gz', async () => {
    const ws = await workspace();
    const config = await writeDeployConfig(ws);
    const app = await makeApp(ws, 'v1');
    const { execFileSync } = await import('node:child_process');
    const tarball = ws.path('v1.tar.gz');
    execFileSync('tar', ['czf', tarball, '-C', app, '.']);
    const result = await ws.run(['release', tarball, '--version', 'v1', '--config', config]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('+ releases/v1 (applied)');
    await expectCompleteRelease(ws, 'v1');
  });
});
