import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type LogLine, messages, stateOf, type Workspace } from '@tempered/testkit';
import { describe, expect, it } from 'vitest';
import { workspace } from './helpers.js';

const FILES = { 'a.txt': 'A\n', 'b.txt': 'B\n', 'c.txt': 'C\n' };
const ALREADY_DONE = 'already done by an earlier run; not repeating';

const isWrite = (name: string) => (line: LogLine) => line.msg === 'file written' && line.path === name;
/** Logged at debug level right after the journal's fsynced `complete` record of that action. */
const isJournaled = (name: string) => (line: LogLine) =>
  line.msg === 'action applied' && String(line.action).startsWith(`write:${name}@`);

/**
 * `slow` sleeps in every action, which leaves room for a signal to land mid-run: the margin is
 * how late a signal may arrive and still find the run on the action the test expects.
 */
async function configs(ws: Workspace, actionDelayMs = 500) {
  return {
    slow: await ws.writeConfig('slow.json', { 'tempered-demo': { files: FILES, actionDelayMs } }),
    fast: await ws.writeConfig('fast.json', { 'tempered-demo': { files: FILES } }),
  };
}

async function expectComplete(out: string): Promise<void> {
  expect((await readdir(out)).sort()).toEqual(Object.keys(FILES));
  for (const [name, content] of Object.entries(FILES)) {
    expect(await readFile(join(out, name), 'utf8')).toBe(content);
  }
}

describe('kill -9 mid-apply', () => {
  it('the next run takes over the stale lock, skips what the killed run completed and converges', async () => {
    const ws = await workspace();
    const out = ws.path('out');
    const { slow, fast } = await configs(ws, 1000);

    // Act 1: A writes a.txt, journals it, then dies while on b.txt
    const a = ws.start(['apply', out, '--config', slow, '--log-level', 'debug']);
    await a.waitForLog(isWrite('a.txt'));
    await a.waitForLog(isJournaled('a.txt'));
    a.kill('SIGKILL');
    const killed = await a.exit;
    expect(killed.signal).toBe('SIGKILL');
    expect(messages(killed)).not.toContain('run finished');
    const state = stateOf(ws);
    const [stale, ...others] = await state.locks();
    expect(others).toEqual([]);
    expect(stale?.owner).toMatchObject({ pid: a.pid });
    const aBefore = await stat(join(out, 'a.txt'));
    // A kill can also land between an atomic write's temp file and its rename; that leftover
    // cannot be timed from outside, so plant what it leaves: `.<name>.tmp-<dead pid>-<hex>`
    const leftover = join(out, `.b.txt.tmp-${a.pid}-0123456789ab`);
    await writeFile(leftover, 'B, half wri');

    // Act 2: B, same target and state
    const b = await ws.run(['apply', out, '--config', fast]);

    expect(b.code).toBe(0);
    const takeover = b.logs.find((line) => line.msg === 'took over stale lock');
    expect(takeover).toMatchObject({ level: 40, previous_owner: { pid: a.pid } });
    expect(messages(b)).toContain('resuming an interrupted run from its journal');
    const skipped = b.logs.filter((line) => line.msg === ALREADY_DONE).map((line) => line.action);
    expect(skipped).toEqual([expect.stringMatching(/^write:a\.txt@/)]);
    const written = b.logs
      .filter((line) => line.msg === 'file written')
      .map((line) => [line.kind, line.path]);
    expect(written).toEqual([
      ['create', 'b.txt'],
      ['create', 'c.txt'],
      ['delete', `.b.txt.tmp-${a.pid}-0123456789ab`],
    ]);
    expect(b.stdout).toBe(
      [
        '+ b.txt (applied)',
        '+ c.txt (applied)',
        `- .b.txt.tmp-${a.pid}-0123456789ab (applied)`,
        'Applied 3 change(s), 1 already done by an interrupted run.',
        '',
      ].join('\n'),
    );

    // Assess: every file complete, a.txt never rewritten, no temp file, no lock, journal archived
    await expectComplete(out);
    const aAfter = await stat(join(out, 'a.txt'));
    expect([aAfter.ino, aAfter.mtimeMs]).toEqual([aBefore.ino, aBefore.mtimeMs]);
    expect((await readdir(out)).filter((name) => name.includes('.tmp-'))).toEqual([]);
    expect(await state.locks()).toEqual([]);
    expect((await state.journals()).map((j) => j.archived)).toEqual([true]);
    // A never closed its run: only B's record exists
    expect((await state.runRecords()).map((r) => r.status)).toEqual(['success']);

    const again = await ws.run(['apply', out, '--config', fast]);
    expect(again.stdout).toBe('No changes: 3 up to date.\n');
  });
});

describe('SIGTERM and SIGINT mid-apply', () => {
  for (const [signal, code] of [
    ['SIGTERM', 143],
    ['SIGINT', 130],
  ] as const) {
    it(`${signal} stops at the next action boundary: exit ${code}, an interrupted run record, and a re-run that repeats nothing`, async () => {
      const ws = await workspace();
      const out = ws.path('out');
      const { slow, fast } = await configs(ws);

      const a = ws.start(['apply', out, '--config', slow]);
      await a.waitForLog(isWrite('a.txt'));
      a.kill(signal);
      const stopped = await a.exit;

      expect(stopped.code).toBe(code);
      expect(stopped.signal).toBeNull();
      expect(stopped.logs.find((line) => line.msg.startsWith('stop requested'))).toMatchObject({
        level: 40,
        signal,
      });
      const error = stopped.logs.find((line) => line.level === 50);
      expect(error).toMatchObject({ code: 'E_INTERRUPTED', exit_code: code });
      expect(error?.msg).toBe(
        `interrupted by ${signal} (hint: completed actions are journaled; re-run the same command to continue)`,
      );
      // the action in flight finished; which one that was depends on when the signal landed
      const done = stopped.logs
        .filter((line) => line.msg === 'file written')
        .map((line) => String(line.path));
      expect(done[0]).toBe('a.txt');
      expect(done.length).toBeLessThan(3);
      expect(stopped.stdout).toBe(done.map((name) => `+ ${name} (applied)\n`).join(''));
      expect((await readdir(out)).sort()).toEqual(done);
      const state = stateOf(ws);
      const [record] = await state.runRecords();
      expect(record).toMatchObject({
        status: 'interrupted',
        exitCode: code,
        failure: { code: 'E_INTERRUPTED', message: `interrupted by ${signal}` },
      });
      expect(record?.failure).not.toHaveProperty('step');
      expect(await state.locks()).toEqual([]);
      const before = await Promise.all(done.map((name) => stat(join(out, name))));

      const rerun = await ws.run(['apply', out, '--config', fast]);

      expect(rerun.code).toBe(0);
      const rewritten = rerun.logs.filter((line) => line.msg === 'file written').map((line) => line.path);
      expect(rewritten).toEqual(Object.keys(FILES).filter((name) => !done.includes(name)));
      const skipped = rerun.logs
        .filter((line) => line.msg === ALREADY_DONE)
        .map((line) => String(line.action));
      expect(skipped.map((id) => id.replace(/@.*/, ''))).toEqual(done.map((name) => `write:${name}`));
      await expectComplete(out);
      const after = await Promise.all(done.map((name) => stat(join(out, name))));
      expect(after.map((s) => [s.ino, s.mtimeMs])).toEqual(before.map((s) => [s.ino, s.mtimeMs]));
      expect((await state.runRecords()).map((r) => r.status)).toEqual(['interrupted', 'success']);
    });
  }

  it('SIGTERM while waiting for the lock exits 143 (interrupted), not 1', async () => {
    const ws = await workspace();
    const out = ws.path('out');
    // the holder must outlast the waiter's start-up, even on a loaded CI machine
    const { slow, fast } = await configs(ws, 4000);
    const holder = ws.start(['apply', out, '--config', slow]);
    await holder.waitForLog('applying plan');

    const waiter = ws.start(['apply', out, '--config', fast, '--lock-wait', '30s']);
    await waiter.waitForLog('lock held by another run; waiting');
    waiter.kill('SIGTERM');
    const stopped = await waiter.exit;

    expect(stopped.code).toBe(143);
    expect(stopped.logs.find((line) => line.level === 50)).toMatchObject({
      code: 'E_INTERRUPTED',
      exit_code: 143,
    });
    expect(holder.child.exitCode).toBeNull();
    expect((await holder.exit).code).toBe(0);
    const statuses = (await stateOf(ws).runRecords()).map((r) => r.status).sort();
    expect(statuses).toEqual(['interrupted', 'success']);
    await expectComplete(out);
  });
});
