import { messages, stateOf } from '@tempered/testkit';
import { describe, expect, it } from 'vitest';
import { workspace } from './helpers.js';

const FILES = { 'a.txt': 'A\n', 'b.txt': 'B\n' };

describe('the run lock, between two real processes', () => {
  it('a second run on the same target exits 75 at once naming the holder; with --lock-wait it waits, then succeeds', async () => {
    const ws = await workspace();
    const out = ws.path('out');
    // A is slow on purpose (2 actions x 4 s, to outlast B's start-up on a loaded CI machine); B is the same job without the delay
    const slow = await ws.writeConfig('slow.json', {
      'tempered-demo': { files: FILES, actionDelayMs: 4000 },
    });
    const fast = await ws.writeConfig('fast.json', { 'tempered-demo': { files: FILES } });

    const a = ws.start(['apply', out, '--config', slow]);
    await a.waitForLog('applying plan'); // logged under the lock, after acquiring it
    const impatient = ws.start(['apply', out, '--config', fast]);
    const patient = ws.start(['apply', out, '--config', fast, '--lock-wait', '30s']);

    // B without --lock-wait: 75 while A is still applying
    const refused = await impatient.exit;
    expect(a.child.exitCode).toBeNull();
    expect(refused.code).toBe(75);
    expect(refused.stdout).toBe('');
    const error = refused.logs.find((line) => line.level === 50);
    expect(error).toMatchObject({ code: 'E_LOCK_HELD', exit_code: 75 });
    expect(error?.msg).toContain(`(pid ${a.pid} on `);
    expect(error?.msg).toContain('(hint: another run is in progress; retry later or pass --lock-wait 5m)');
    expect(messages(refused)).not.toContain('lock held by another run; waiting');
    expect(messages(refused)).not.toContain('applying plan');

    // B with --lock-wait: waits for A's release, then finds nothing left to do
    const waiting = await patient.waitForLog('lock held by another run; waiting');
    expect(waiting).toMatchObject({ holder: { pid: a.pid }, wait_ms: 30_000 });
    expect(a.child.exitCode).toBeNull();
    const [first, second] = await Promise.all([a.exit, patient.exit]);
    expect(first.code).toBe(0);
    expect(first.stdout).toBe('+ a.txt (applied)\n+ b.txt (applied)\nApplied 2 change(s).\n');
    expect(second.code).toBe(0);
    expect(second.stdout).toBe('No changes: 2 up to date.\n');
    expect(messages(second)).toContain('lock acquired after waiting');
    const acquired = second.logs.find((line) => line.msg === 'lock acquired after waiting');
    const lastWriteOfA = first.logs.filter((line) => line.msg === 'file written').at(-1);
    expect(acquired?.time).toBeGreaterThanOrEqual(lastWriteOfA?.time ?? Number.POSITIVE_INFINITY);

    const state = stateOf(ws);
    const statuses = (await state.runRecords()).map((r) => r.status).sort();
    expect(statuses).toEqual(['noop', 'success', 'temporary']);
    expect(await state.locks()).toEqual([]);
  });

  it('runs on different targets do not share a lock', async () => {
    const ws = await workspace();
    const slow = await ws.writeConfig('slow.json', {
      // long enough that the other run, started after this one's first log line, ends first even on a loaded CI machine
      'tempered-demo': { files: { 'a.txt': 'A\n' }, actionDelayMs: 6000 },
    });
    const fast = await ws.writeConfig('fast.json', { 'tempered-demo': { files: { 'a.txt': 'A\n' } } });

    const a = ws.start(['apply', ws.path('one'), '--config', slow]);
    await a.waitForLog('applying plan');
    const other = await ws.run(['apply', ws.path('two'), '--config', fast]);

    expect(other.code).toBe(0);
    expect(a.child.exitCode).toBeNull();
    expect((await a.exit).code).toBe(0);
  });
});
