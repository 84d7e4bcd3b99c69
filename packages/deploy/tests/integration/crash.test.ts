import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type CliProcess, type LogLine, messages } from '@tempered/testkit';
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
  statusOf,
  targetOf,
  workspace,
  writeDeployConfig,
} from './helpers.js';

const ALREADY_DONE = 'already done by an earlier run; not repeating';

/**
 * Hooks that print their process group, count their runs in $COUNT_DIR, and sleep $SLEEP_<name>
 * seconds: the run to kill gets a long sleep in one hook (the window for kill -9), the re-run
 * none. `$VAR` rather than `${VAR}`, which the config would interpolate.
 */
// counted before the pgid line: once the test has seen the line, the run is on record
const hook = (name: string) =>
  `echo x >> "$COUNT_DIR/${name}"; echo "${name} pgid $$"; sleep "$SLEEP_${name}"`;

async function setup() {
  const ws = await workspace();
  const counts = ws.path('counts');
  await mkdir(counts, { recursive: true });
  const env = (sleeps: { before?: number; after?: number } = {}) => ({
    COUNT_DIR: counts,
    SLEEP_before: String(sleeps.before ?? 0),
    SLEEP_after: String(sleeps.after ?? 0),
  });
  const runs = async (name: string) =>
    (await readFile(join(counts, name), 'utf8').catch(() => '')).split('\n').filter(Boolean).length;
  return { ws, env, runs };
}

/** kill -9 the deploy, then the hook's process group it left behind (nothing reaps a SIGKILLed parent's children). */
async function killHard(cli: CliProcess, hookLine?: LogLine): Promise<void> {
  cli.kill('SIGKILL');
  const result = await cli.exit;
  expect(result.signal).toBe('SIGKILL');
  const pgid = Number(String(hookLine?.line ?? '').split(' pgid ')[1]);
  if (Number.isInteger(pgid) && pgid > 0) {
    try {
      process.kill(-pgid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

const isHookOutput = (name: string) => (line: LogLine) =>
  line.msg === 'hook output' && String(line.line).startsWith(`${name} pgid `);

describe('kill -9 of a real deploy, then a re-run', () => {
  it('killed in a beforeSwitch hook: current stays on v1; the re-run takes over the stale locks, sweeps leftovers and finishes', async () => {
    // Prepare
    const { ws, env, runs } = await setup();
    const config = await writeDeployConfig(ws, { hooks: { beforeSwitch: [hook('before')] } });
    await releaseOk(ws, 'v1', config, env());
    const v2 = await makeApp(ws, 'v2');

    // Act 1: kill -9 while v2's beforeSwitch hook runs
    const a = ws.start(['release', v2, '--version', 'v2', '--config', config], { env: env({ before: 30 }) });
    const line = await a.waitForLog(isHookOutput('before'));
    await killHard(a, line);

    // Assess 1: current is v1, complete; v2 complete but not live; the run is pending, the locks stale
    expect(await currentOf(ws)).toBe('releases/v1');
    await expectCompleteRelease(ws, 'v1');
    expect((await releaseLog(ws)).pending).toMatchObject({ kind: 'release', release: 'v2', previous: 'v1' });
    // what a kill in the middle of copying leaves (cannot be timed from outside): plant it
    await mkdir(join(targetOf(ws), 'releases', 'v3.partial', 'lib'), { recursive: true });
    await writeFile(join(targetOf(ws), 'releases', 'v3.partial', 'lib', 'half.js'), 'export con');
    const status = await ws.run(['status', '--config', config, '--json']);
    const locks = JSON.parse(status.stdout).result.locks;
    expect(
      locks.map((l: { scope: string; liveness: string; owner: { pid: number } }) => [
        l.scope,
        l.liveness,
        l.owner.pid,
      ]),
    ).toEqual([
      ['target', 'dead', a.pid],
      ['run', 'dead', a.pid],
    ]);

    // Act 2: the same command again
    const b = await ws.run(['release', v2, '--version', 'v2', '--config', config], { env: env() });

    // Assess 2
    expect(b.code, b.stderr).toBe(0);
    expect(b.logs.filter((l) => l.msg === 'took over stale lock')).toHaveLength(2);
    expect(messages(b)).toContain('resuming an interrupted release');
    expect(b.logs.filter((l) => l.msg === ALREADY_DONE).map((l) => String(l.action).split('@')[0])).toEqual([
      'record:v2',
      'create:v2',
    ]);
    expect(b.logs.find((l) => l.msg === 'removed a leftover of an interrupted run')).toMatchObject({
      leftover: 'v3.partial',
    });
    expect(await currentOf(ws)).toBe('releases/v2');
    await expectCompleteRelease(ws, 'v2');
    expect(await releasesOf(ws)).toEqual(['v1', 'v2']);
    expect(await statusOf(ws, 'v2')).toBe('good');
    expect((await releaseLog(ws)).pending).toBeUndefined();
    // the hook v2 died in ran again (it never completed); v1's ran once
    expect(await runs('before')).toBe(3);
  });

  it('killed after the switch, in an afterSwitch hook: v2 is live and complete; unlock clears the locks; the re-run does not repeat the beforeSwitch hook', async () => {
    const { ws, env, runs } = await setup();
    const config = await writeDeployConfig(ws, {
      hooks: { beforeSwitch: [hook('before')], afterSwitch: [hook('after')] },
    });
    await releaseOk(ws, 'v1', config, env());
    const v2 = await makeApp(ws, 'v2');

    const a = ws.start(['release', v2, '--version', 'v2', '--config', config], { env: env({ after: 30 }) });
    await killHard(a, await a.waitForLog(isHookOutput('after')));

    expect(await currentOf(ws)).toBe('releases/v2');
    await expectCompleteRelease(ws, 'v2');
    expect(await statusOf(ws, 'v2')).toBe('deploying');

    // unlock: refused without --yes (no terminal), then removes both stale locks
    const refused = await ws.run(['unlock', '--config', config]);
    expect(refused.code).toBe(2);
    expect(errorLine(refused)?.msg).toContain('pass --yes');
    const unlock = await ws.run(['unlock', '--config', config, '--yes']);
    expect(unlock.code, unlock.stderr).toBe(0);
    expect(unlock.stdout).toContain(`Removed the target lock of run `);
    expect(unlock.stdout).toContain(`(pid ${a.pid} on `);

    const b = await ws.run(['release', v2, '--version', 'v2', '--config', config], { env: env() });
    expect(b.code, b.stderr).toBe(0);
    expect(messages(b)).not.toContain('took over stale lock');
    const skipped = b.logs.filter((l) => l.msg === ALREADY_DONE).map((l) => String(l.action).split('@')[0]);
    expect(skipped).toEqual(['record:v2', 'create:v2', 'hook:beforeSwitch:0:v2', 'switch:v2']);
    expect(await runs('before')).toBe(2); // v1 and v2, once each
    expect(await runs('after')).toBe(3); // v1; v2 killed; v2 again
    expect(await statusOf(ws, 'v2')).toBe('good');
  });

  it('killed while the health check retries: v2 is live; the re-run checks health again and records it good', async () => {
    const { ws, env } = await setup();
    const { server, config } = await healthCheckedConfig(ws, {}, '20s');
    await releaseOk(ws, 'v1', config, env());

    server.override = 503;
    const a = ws.start(['release', await makeApp(ws, 'v2'), '--version', 'v2', '--config', config]);
    await a.waitForLog('retrying');
    await killHard(a);
    expect(await currentOf(ws)).toBe('releases/v2');
    await expectCompleteRelease(ws, 'v2');

    server.override = undefined;
    const b = await ws.run(['release', ws.path('builds', 'v2'), '--version', 'v2', '--config', config]);
    expect(b.code, b.stderr).toBe(0);
    expect(b.logs.filter((l) => l.msg === ALREADY_DONE).map((l) => String(l.action).split('@')[0])).toEqual([
      'record:v2',
      'create:v2',
      'switch:v2',
    ]);
    expect(messages(b)).toContain('healthy');
    expect(await statusOf(ws, 'v2')).toBe('good');
  });

  it('killed at an unplanned point: whatever it reached, current is a complete release and the re-run converges', async () => {
    const { ws, env } = await setup();
    const config = await writeDeployConfig(ws);
    await releaseOk(ws, 'v1', config, env());
    const v2 = await makeApp(ws, 'v2');
    // a few hundred files, so the kill often lands inside the copy
    for (let i = 0; i < 300; i++) await writeFile(join(v2, 'lib', `m${i}.js`), `export const n = ${i};\n`);

    const a = ws.start(['release', v2, '--version', 'v2', '--config', config]);
    await a.waitForLog('applying plan');
    await killHard(a);
    const live = await currentOf(ws);
    expect(['releases/v1', 'releases/v2']).toContain(live);
    await expectCompleteRelease(ws, live!.replace('releases/', ''));

    const b = await ws.run(['release', v2, '--version', 'v2', '--config', config]);
    expect(b.code, b.stderr).toBe(0);
    expect(await currentOf(ws)).toBe('releases/v2');
    expect(await releasesOf(ws)).toEqual(['v1', 'v2']);
    expect(await readFile(join(targetOf(ws), 'releases', 'v2', 'lib', 'm299.js'), 'utf8')).toContain('299');
  });
});
