import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ConflictError, LockHeldError } from '../../../src/errors/index.js';
import { currentLockOwner, FileStateStore } from '../../../src/state/index.js';
import { captureLog } from '../../unit/state/helpers.js';
import { assertBuilt, type Fixture, startFixture } from './childProcess.js';

let dir: string;
const children: Fixture[] = [];

beforeAll(() => assertBuilt());

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tempered-locks-it-'));
});

afterEach(async () => {
  await Promise.all(children.splice(0).map((child) => child.kill()));
  await rm(dir, { recursive: true, force: true });
});

function start(name: string, ...args: string[]): Fixture {
  const child = startFixture(name, ...args);
  children.push(child);
  return child;
}

describe('run locks between real processes', () => {
  it('refuses a second run while another process holds the lock (exit 75, names the holder pid)', async () => {
    // Prepare
    const holder = start('lock-holder.mjs', dir, 'prod', 'run-holder');
    const { pid } = await holder.event<{ pid: number }>('acquired');
    // Act
    const error = await new FileStateStore(dir)
      .acquireLock('prod', { owner: currentLockOwner('run-2') })
      .catch((e: unknown) => e);
    // Assess
    expect(error).toBeInstanceOf(LockHeldError);
    const held = error as LockHeldError;
    expect(held.exitCode).toBe(75);
    expect(held.owner?.pid).toBe(pid);
    expect(held.message).toContain(`pid ${pid} on ${hostname()}`);
    expect(held.message).toContain('run run-holder');
  });

  it('with waitMs, acquires as soon as the holder releases', async () => {
    const holder = start('lock-holder.mjs', dir, 'prod', 'run-holder');
    await holder.event('acquired');
    const log = captureLog();
    const waiting = new FileStateStore(dir).acquireLock('prod', {
      owner: currentLockOwner('run-2'),
      waitMs: 20_000,
      pollMs: 20,
      logger: log.logger,
    });
    await log.waitFor('lock held by another run; waiting');
    holder.process.kill('SIGTERM');
    await holder.event('released');
    const handle = await waiting;
    expect(handle.owner.runId).toBe('run-2');
    await handle.release();
  });

  it('takes over, with a warning, the lock of a process killed with SIGKILL', async () => {
    // Prepare
    const holder = start('lock-holder.mjs', dir, 'prod', 'run-crashed');
    const { pid } = await holder.event<{ pid: number }>('acquired');
    await holder.kill('SIGKILL');
    const { logger, lines } = captureLog();
    // Act
    const handle = await new FileStateStore(dir).acquireLock('prod', {
      owner: currentLockOwner('run-2'),
      logger,
    });
    // Assess
    expect(handle.owner.runId).toBe('run-2');
    const warning = lines.find((line) => line.msg === 'took over stale lock');
    expect(warning?.level).toBe(40);
    expect(warning?.previous_owner).toMatchObject({ pid, runId: 'run-crashed' });
  });

  it('lets exactly one of several processes racing to take over one stale lock win', async () => {
    for (let round = 0; round < 3; round++) {
      // Prepare: a stale lock, and contenders parked until "go" so they race for real
      const name = `race-${round}`;
      const crashed = start('lock-holder.mjs', dir, name, `crashed-${round}`);
      await crashed.event('acquired');
      await crashed.kill('SIGKILL');
      const contenders = Array.from({ length: 6 }, (_, i) =>
        start('lock-contender.mjs', dir, name, `r${round}-${i}`),
      );
      await Promise.all(contenders.map((c) => c.event('ready')));
      // Act
      for (const contender of contenders) contender.send('go');
      const outcomes = await Promise.all(
        contenders.map((c) =>
          c.event<{ event: string; pid?: number; holderPid?: number }>('(acquired|refused)'),
        ),
      );
      // Assess
      const winners = outcomes.filter((o) => o.event === 'acquired');
      expect(winners, `round ${round}`).toHaveLength(1);
      for (const loser of outcomes.filter((o) => o.event === 'refused')) {
        expect(loser).toMatchObject({ name: 'LockHeldError', exitCode: 75, holderPid: winners[0]?.pid });
      }
    }
    expect((await readdir(join(dir, 'locks'))).filter((n) => n.startsWith('.'))).toEqual([]);
  });

  it('unlock refuses while the holder lives and succeeds once it is dead', async () => {
    const holder = start('lock-holder.mjs', dir, 'prod', 'run-holder');
    const { pid } = await holder.event<{ pid: number }>('acquired');
    const store = new FileStateStore(dir);
    await expect(store.breakLock('prod')).rejects.toBeInstanceOf(ConflictError);
    await holder.kill('SIGKILL');
    expect((await store.breakLock('prod'))?.pid).toBe(pid);
    expect(await store.inspectLock('prod')).toBeUndefined();
  });
});
