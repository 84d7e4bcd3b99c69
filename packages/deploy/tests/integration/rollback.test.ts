import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { listTree, messages, stateOf } from '@tempered/testkit';
import { describe, expect, it } from 'vitest';
import {
  currentOf,
  errorLine,
  healthCheckedConfig,
  makeApp,
  releaseLog,
  releaseOk,
  statusOf,
  targetOf,
  workspace,
  writeDeployConfig,
} from './helpers.js';

const hookLines = (logs: { msg: string; line?: unknown }[]) =>
  logs.filter((l) => l.msg === 'hook output').map((l) => l.line);

describe('health check and rollback', () => {
  it('an unhealthy release is rolled back automatically; rollback then skips it', async () => {
    // Prepare: v1 healthy, v2 answers 503, v3 healthy
    const ws = await workspace();
    const { server, config } = await healthCheckedConfig(
      ws,
      { hooks: { afterSwitch: ['echo "after $DEPLOY_RELEASE"'] } },
      // several 100 ms polls must fit even on a busy machine: the message counts them
      '8s',
    );
    const v1 = await makeApp(ws, 'v1');
    const v2 = await makeApp(ws, 'v2', { health: 503 });
    const v3 = await makeApp(ws, 'v3');
    expect((await ws.run(['release', v1, '--version', 'v1', '--config', config])).code).toBe(0);

    // Act 1: the unhealthy release
    const bad = await ws.run(['release', v2, '--version', 'v2', '--config', config, '--json']);

    // Assess 1: exit 1, current back on v1, v2 failed, afterSwitch hooks ran on v2 then on v1 again
    expect(bad.code, bad.stderr).toBe(1);
    const error = JSON.parse(bad.stdout).error;
    expect(error).toMatchObject({ code: 'E_RELEASE_FAILED', exitCode: 1 });
    expect(error.message).toMatch(
      /^release v2 failed and was rolled back to v1: health check failed: GET http:\/\/127\.0\.0\.1:\d+\/healthz -> 503 Service Unavailable \(\d+ attempts in /,
    );
    expect(await currentOf(ws)).toBe('releases/v1');
    expect(await statusOf(ws, 'v2')).toBe('failed');
    expect(await statusOf(ws, 'v1')).toBe('good');
    expect((await releaseLog(ws)).pending).toBeUndefined();
    expect(hookLines(bad.logs)).toEqual(['after v2', 'after v1']);
    expect(messages(bad)).toContain('rolled back');
    const retries = bad.logs.filter((l) => l.msg === 'retrying');
    expect(retries.length).toBeGreaterThanOrEqual(2);
    const state = stateOf(ws);
    const [record] = (await state.runRecords()).filter((r) => r.runId === bad.logs[0]?.run_id);
    expect(record).toMatchObject({
      status: 'failure',
      exitCode: 1,
      retries: retries.length,
      failure: { code: 'E_RELEASE_FAILED', step: expect.stringMatching(/^healthcheck:v2@/) },
    });
    // the handled failure closed the journal: nothing is left to resume
    expect((await state.journals()).filter((journal) => !journal.archived)).toEqual([]);

    // Act 2: a healthy v3, then rollback (dry-run first)
    const good = await ws.run(['release', v3, '--version', 'v3', '--config', config]);
    expect(good.code, good.stderr).toBe(0);
    expect(messages(good)).not.toContain('resuming an interrupted run from its journal');
    expect(good.stdout).toContain('(previous good: v1)');
    const before = await listTree(targetOf(ws));
    const dry = await ws.run(['rollback', '--config', config, '--dry-run']);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('~ current (releases/v3 -> releases/v1)');
    expect(dry.stdout).toContain('~ hook afterSwitch[0]: echo "after $DEPLOY_RELEASE" (run in releases/v1');
    expect(dry.stdout).toContain(`~ health check ${server.url} (expect 200 within 8.00s)`);
    expect(await listTree(targetOf(ws))).toEqual(before);

    const rollback = await ws.run(['rollback', '--config', config]);

    // Assess 2: back on v1, the failed v2 skipped; hooks and health check ran; v3 marked rolled-back
    expect(rollback.code, rollback.stderr).toBe(0);
    expect(rollback.stdout.trim().split('\n').at(-1)).toBe('Rolled back to v1 (from v3).');
    expect(await currentOf(ws)).toBe('releases/v1');
    expect(hookLines(rollback.logs)).toEqual(['after v1']);
    expect(messages(rollback)).toContain('healthy');
    expect(await statusOf(ws, 'v3')).toBe('rolled-back');
    expect((await releaseLog(ws)).history.at(-1)).toMatchObject({
      action: 'rollback',
      release: 'v1',
      previous: 'v3',
      outcome: 'good',
    });

    // Act 3: nothing good before v1; a named release is taken even if rolled back; same one again is a no-op
    const nothing = await ws.run(['rollback', '--config', config]);
    expect(nothing.code).toBe(2);
    expect(errorLine(nothing)?.msg).toContain(
      'nothing to roll back to: no good release was deployed before v1',
    );
    const named = await ws.run(['rollback', 'v3', '--config', config]);
    expect(named.code, named.stderr).toBe(0);
    expect(await currentOf(ws)).toBe('releases/v3');
    const again = await ws.run(['rollback', 'v3', '--config', config]);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('Release v3 is already current: nothing to do.');
  });

  it('a failing beforeSwitch hook aborts before the switch; hook output is logged with secrets redacted', async () => {
    const ws = await workspace();
    const secret = 'tok-7f3a9c1e5b';
    const config = await writeDeployConfig(ws, {
      hooks: {
        // biome-ignore lint/suspicious/noTemplateCurlyInString: a config placeholder, interpolated by core
        beforeSwitch: ['echo "building with token=${DEPLOY_TOKEN}"; echo "failing now" >&2; exit 4'],
      },
    });
    const ok = await writeDeployConfig(ws, {});
    const env = { DEPLOY_TOKEN: secret };
    await releaseOk(ws, 'v1', ok);

    const dry = await ws.run(
      ['release', await makeApp(ws, 'v2'), '--version', 'v2', '--config', config, '--dry-run'],
      {
        env,
      },
    );
    const result = await ws.run(['release', await makeApp(ws, 'v2'), '--version', 'v2', '--config', config], {
      env,
    });

    expect(result.code).toBe(1);
    expect(errorLine(result)?.msg).toBe(
      `release v2 aborted before the switch: beforeSwitch hook "echo "building with token=[REDACTED]"; echo "failing now" >&2; exit 4" exited 4; current still points to v1 (hint: fix the hook or the release, then deploy again)`,
    );
    expect(await currentOf(ws)).toBe('releases/v1');
    expect(await statusOf(ws, 'v2')).toBe('failed');
    const output = result.logs.filter((l) => l.msg === 'hook output').map((l) => [l.stream, l.line]);
    expect(output).toEqual([
      ['stdout', 'building with token=[REDACTED]'],
      ['stderr', 'failing now'],
    ]);
    // the secret appears nowhere: stdout, stderr, the dry-run plan, the release log, the stored state
    const everything = [
      result.stdout,
      result.stderr,
      dry.stdout,
      dry.stderr,
      await readFile(join(targetOf(ws), 'release-log.json'), 'utf8'),
      await stateOf(ws).dump(),
    ].join('\n');
    expect(everything).not.toContain(secret);
    expect(dry.stdout).toContain('token=[REDACTED]');
  });

  it('a hook that runs past its timeout is killed and fails the release', async () => {
    const ws = await workspace();
    const config = await writeDeployConfig(ws, {
      hooks: { afterSwitch: [{ run: 'sleep 20', timeout: '300ms' }] },
    });
    const ok = await writeDeployConfig(ws, {});
    await releaseOk(ws, 'v1', ok);
    const started = Date.now();
    const result = await ws.run(['release', await makeApp(ws, 'v2'), '--version', 'v2', '--config', config]);
    expect(result.code).toBe(1);
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(errorLine(result)?.msg).toContain('afterSwitch hook "sleep 20" timed out after 300ms');
    // rolled back to v1, where the same afterSwitch hook times out again: said so, still exit 1
    expect(await currentOf(ws)).toBe('releases/v1');
    expect(errorLine(result)?.msg).toContain('afterSwitch hooks failed on v1 too');
  });
});
