import { writeFile } from 'node:fs/promises';
import type { LogLine } from '@tempered/testkit';
import { describe, expect, it } from 'vitest';
import {
  currentOf,
  errorLine,
  GATED_HOOK,
  makeApp,
  releaseLog,
  releasesOf,
  workspace,
  writeDeployConfig,
} from './helpers.js';

const switched = (lines: LogLine[]) => lines.filter((l) => l.msg === 'switched current');

describe('two real deploy processes on one target', () => {
  it('started together: one deploys, the other exits 75 naming it; never both switch; status and unlock see the live holder', async () => {
    const ws = await workspace();
    const gate = ws.path('gate');
    const config = await writeDeployConfig(ws, { hooks: { beforeSwitch: [GATED_HOOK] } });
    const [a, b] = [await makeApp(ws, 'a'), await makeApp(ws, 'b')];
    const env = { GATE: gate };

    const pa = ws.start(['release', a, '--version', 'a', '--config', config], { env });
    const pb = ws.start(['release', b, '--version', 'b', '--config', config], { env });
    // whichever got the lock waits in its hook until the gate opens; the other one is refused
    const holding = await Promise.any([pa.waitForLog('hook output'), pb.waitForLog('hook output')]);
    const [holder, other] = holding.pid === pa.pid ? [pa, pb] : [pb, pa];
    const refused = await other.exit;
    const status = JSON.parse((await ws.run(['status', '--config', config, '--json'])).stdout).result;
    const unlock = await ws.run(['unlock', '--config', config, '--yes']);
    await writeFile(gate, '');
    const done = await holder.exit;

    const winnerId = holder === pa ? 'a' : 'b';
    expect(done.code, done.stderr).toBe(0);
    expect(refused.code, refused.stderr).toBe(75);
    expect(errorLine(refused)).toMatchObject({ code: 'E_LOCK_HELD', exit_code: 75 });
    expect(errorLine(refused)?.msg).toContain(`(pid ${holder.pid} on `);
    expect(refused.stdout).toBe('');
    expect(switched(refused.logs)).toEqual([]);
    expect(switched(done.logs)).toHaveLength(1);
    expect(await currentOf(ws)).toBe(`releases/${winnerId}`);
    expect(await releasesOf(ws)).toEqual([winnerId]);
    expect((await releaseLog(ws)).releases.map((r) => r.id)).toEqual([winnerId]);
    // while it ran: status named the live holder, and unlock refused to touch it
    expect(
      status.locks.map((l: { scope: string; owner: { pid: number }; liveness: string }) => [
        l.scope,
        l.owner.pid,
        l.liveness,
      ]),
    ).toEqual([
      ['target', holder.pid, 'alive'],
      ['run', holder.pid, 'alive'],
    ]);
    expect(status.pending).toMatchObject({ kind: 'release', release: winnerId });
    expect(unlock.code).toBe(1);
    expect(errorLine(unlock)).toMatchObject({ code: 'E_CONFLICT' });
    expect(errorLine(unlock)?.msg).toContain('refusing to unlock');
  });

  it('with --lock-wait the second waits for the first to finish, then deploys on top of it', async () => {
    const ws = await workspace();
    const gate = ws.path('gate');
    const config = await writeDeployConfig(ws, { hooks: { beforeSwitch: [GATED_HOOK] } });
    const [a, b] = [await makeApp(ws, 'a'), await makeApp(ws, 'b')];

    const first = ws.start(['release', a, '--version', 'a', '--config', config], { env: { GATE: gate } });
    await first.waitForLog('hook output');
    const second = ws.start(['release', b, '--version', 'b', '--config', config, '--lock-wait', '30s'], {
      env: { GATE: gate },
    });
    await second.waitForLog('lock held by another run; waiting');
    await writeFile(gate, '');
    const [r1, r2] = await Promise.all([first.exit, second.exit]);

    expect(r1.code, r1.stderr).toBe(0);
    expect(r2.code, r2.stderr).toBe(0);
    const acquired = r2.logs.find((l) => l.msg === 'lock acquired after waiting');
    const firstDone = r1.logs.find((l) => l.msg === 'release recorded as good');
    expect(acquired?.time).toBeGreaterThanOrEqual(firstDone?.time ?? Number.POSITIVE_INFINITY);
    expect(r2.stdout).toContain('Released b to ');
    expect(r2.stdout).toContain('(previous good: a)');
    expect(await currentOf(ws)).toBe('releases/b');
    expect((await releaseLog(ws)).history.map((h) => [h.release, h.outcome])).toEqual([
      ['a', 'good'],
      ['b', 'good'],
    ]);
  });
});
