import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, stat, utimes, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConflictError, LockHeldError, type LockOwner } from '../../../src/errors/index.js';
import {
  acquireFileLock,
  breakFileLock,
  currentLockOwner,
  FileStateStore,
  inspectFileLock,
  readProcStart,
} from '../../../src/state/index.js';
import { captureLog, deadPid, withTempDir } from './helpers.js';

let dir: string;
let cleanup: () => Promise<void>;

beforeEach(async () => {
  ({ dir, cleanup } = await withTempDir('locks'));
});
afterEach(() => cleanup());

const lockFile = (name: string) => join(dir, 'locks', `${name}.lock`);

async function plantLock(name: string, owner: Partial<LockOwner>): Promise<LockOwner> {
  const full: LockOwner = {
    pid: 1,
    host: hostname(),
    runId: 'planted',
    startedAt: '2025-01-01T00:00:00.000Z',
    ...owner,
  };
  await mkdir(join(dir, 'locks'), { recursive: true });
  await writeFile(lockFile(name), JSON.stringify(full));
  return full;
}

describe('Function: currentLockOwner', () => {
  it('describes this process, including its Linux start time', () => {
    const owner = currentLockOwner('run-1', 'deploy release');
    expect(owner).toMatchObject({
      pid: process.pid,
      host: hostname(),
      runId: 'run-1',
      command: 'deploy release',
    });
    expect(Number.isNaN(Date.parse(owner.startedAt))).toBe(false);
    if (process.platform === 'linux') expect(owner.procStart).toBe(readProcStart(process.pid));
  });
});

describe('Method: FileStateStore.acquireLock', () => {
  it('creates a private lock file holding the owner, and release removes it', async () => {
    // Prepare
    const store = new FileStateStore(dir);
    const owner = currentLockOwner('run-1');
    // Act
    const handle = await store.acquireLock('deploy-prod', { owner });
    // Assess
    expect(JSON.parse(await readFile(lockFile('deploy-prod'), 'utf8'))).toMatchObject({ runId: 'run-1' });
    expect((await stat(lockFile('deploy-prod'))).mode & 0o777).toBe(0o600);
    expect((await stat(join(dir, 'locks'))).mode & 0o777).toBe(0o700);
    expect(await store.inspectLock('deploy-prod')).toEqual(owner);
    await handle.release();
    await handle.release();
    expect(await readdir(join(dir, 'locks'))).toEqual([]);
    expect(await store.inspectLock('deploy-prod')).toBeUndefined();
  });

  it('refuses a lock held by a live run with exit 75 and a message naming the holder', async () => {
    const store = new FileStateStore(dir);
    const holder = currentLockOwner('run-holder');
    await store.acquireLock('t', { owner: holder });
    const error = await store.acquireLock('t', { owner: currentLockOwner('run-2') }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LockHeldError);
    const held = error as LockHeldError;
    expect(held.exitCode).toBe(75);
    expect(held.owner).toEqual(holder);
    expect(held.message).toBe(
      `lock "t" is held by run run-holder (pid ${process.pid} on ${hostname()}, since ${holder.startedAt})`,
    );
  });

  it('waits for the holder to release when waitMs allows', async () => {
    const store = new FileStateStore(dir);
    const first = await store.acquireLock('t', { owner: currentLockOwner('run-1') });
    const log = captureLog();
    const second = store.acquireLock('t', {
      owner: currentLockOwner('run-2'),
      waitMs: 10_000,
      pollMs: 5,
      logger: log.logger,
    });
    await log.waitFor('lock held by another run; waiting');
    await first.release();
    const handle = await second;
    expect(handle.owner.runId).toBe('run-2');
    expect(log.messages()).toContain('lock acquired after waiting');
  });

  it('gives up after waitMs and says how long it waited', async () => {
    const store = new FileStateStore(dir);
    await store.acquireLock('t', { owner: currentLockOwner('run-1') });
    await expect(
      store.acquireLock('t', { owner: currentLockOwner('run-2'), waitMs: 30, pollMs: 5 }),
    ).rejects.toThrow(/after waiting 30ms/);
  });

  it('stops waiting when the signal aborts', async () => {
    const store = new FileStateStore(dir);
    await store.acquireLock('t', { owner: currentLockOwner('run-1') });
    const controller = new AbortController();
    const waiting = store.acquireLock('t', {
      owner: currentLockOwner('run-2'),
      waitMs: 60_000,
      pollMs: 5,
      signal: controller.signal,
    });
    controller.abort(new Error('SIGTERM'));
    await expect(waiting).rejects.toThrow(/abort|SIGTERM/i);
  });

  it('takes over a lock whose owner died, logging the previous owner', async () => {
    // Prepare
    const previous = await plantLock('t', { pid: deadPid(), runId: 'crashed' });
    const { logger, lines } = captureLog();
    // Act
    const handle = await new FileStateStore(dir).acquireLock('t', {
      owner: currentLockOwner('run-2'),
      logger,
    });
    // Assess
    expect(handle.owner.runId).toBe('run-2');
    const warning = lines.find((line) => line.msg === 'took over stale lock');
    expect(warning?.level).toBe(40);
    expect(warning?.previous_owner).toEqual(previous);
  });

  it('takes over a lock whose pid now belongs to another process (recycled pid)', async () => {
    const start = readProcStart(process.pid);
    if (start === undefined) return; // no procfs: nothing to compare
    await plantLock('t', { pid: process.pid, procStart: start - 1, runId: 'older-process' });
    const handle = await new FileStateStore(dir).acquireLock('t', { owner: currentLockOwner('run-2') });
    expect(handle.owner.runId).toBe('run-2');
  });

  it('never takes over a lock from another host, and says to use unlock', async () => {
    await plantLock('t', { pid: deadPid(), host: 'elsewhere.example', runId: 'remote' });
    const error = await new FileStateStore(dir)
      .acquireLock('t', { owner: currentLockOwner('run-2') })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LockHeldError);
    expect((error as Error).message).toMatch(/on elsewhere\.example.*cannot be checked.*unlock/);
  });

  it('lets exactly one of many concurrent runs take over one stale lock', async () => {
    await plantLock('t', { pid: deadPid(), runId: 'crashed' });
    const store = new FileStateStore(dir);
    const outcomes = await Promise.allSettled(
      Array.from({ length: 12 }, (_, i) => store.acquireLock('t', { owner: currentLockOwner(`run-${i}`) })),
    );
    const winners = outcomes.filter((o) => o.status === 'fulfilled');
    expect(winners).toHaveLength(1);
    const winner = (winners[0] as PromiseFulfilledResult<{ owner: LockOwner }>).value.owner;
    for (const o of outcomes.filter((o) => o.status === 'rejected')) {
      expect((o as PromiseRejectedResult).reason).toBeInstanceOf(LockHeldError);
      expect(((o as PromiseRejectedResult).reason as LockHeldError).owner?.runId).toBe(winner.runId);
    }
    expect(await readdir(join(dir, 'locks'))).toEqual(['t.lock']);
  });

  it('is not wedged by a takeover claim left behind by a process killed mid-takeover', async () => {
    // Prepare: the level-0 claim on this stale content belongs to a dead process
    const previous = await plantLock('t', { pid: deadPid(), runId: 'crashed' });
    const raw = await readFile(lockFile('t'), 'utf8');
    const generation = createHash('sha256').update(raw).digest('hex').slice(0, 16);
    await writeFile(
      join(dir, 'locks', `.t.lock.takeover-${generation}-0`),
      JSON.stringify({ ...previous, pid: deadPid(), runId: 'claim' }),
    );
    // Act
    const handle = await new FileStateStore(dir).acquireLock('t', { owner: currentLockOwner('run-2') });
    // Assess
    expect(handle.owner.runId).toBe('run-2');
    expect(await readdir(join(dir, 'locks'))).toEqual(['t.lock']);
  });

  it('takes over an old unreadable lock file', async () => {
    await plantLock('t', {});
    await writeFile(lockFile('t'), 'garbage');
    const old = new Date(Date.now() - 60_000);
    await utimes(lockFile('t'), old, old);
    const handle = await new FileStateStore(dir).acquireLock('t', { owner: currentLockOwner('run-2') });
    expect(handle.owner.runId).toBe('run-2');
  });

  it('release leaves alone a lock that is no longer ours', async () => {
    const store = new FileStateStore(dir);
    const handle = await store.acquireLock('t', { owner: currentLockOwner('run-1') });
    await writeFile(lockFile('t'), JSON.stringify({ ...currentLockOwner('run-other') }));
    await handle.release();
    expect((await store.inspectLock('t'))?.runId).toBe('run-other');
  });

  it('hashes an unsafe lock name into a safe file name', async () => {
    const store = new FileStateStore(dir);
    await store.acquireLock('/srv/www/../x y', { owner: currentLockOwner('run-1') });
    const [name] = await readdir(join(dir, 'locks'));
    expect(name).toMatch(/^srv_www_.*~[0-9a-f]{16}\.lock$/);
    expect((await store.inspectLock('/srv/www/../x y'))?.runId).toBe('run-1');
  });
});

describe('Method: FileStateStore.breakLock', () => {
  it('refuses while the owner is alive on this host', async () => {
    const store = new FileStateStore(dir);
    await store.acquireLock('t', { owner: currentLockOwner('run-1') });
    await expect(store.breakLock('t')).rejects.toBeInstanceOf(ConflictError);
    await expect(store.breakLock('t')).rejects.toThrow(`pid ${process.pid}`);
  });

  it('removes a dead or remote owner and returns it; nothing to do when unlocked', async () => {
    const store = new FileStateStore(dir);
    const remote = await plantLock('t', { host: 'elsewhere.example' });
    expect(await store.breakLock('t')).toEqual(remote);
    expect(await store.inspectLock('t')).toBeUndefined();
    expect(await store.breakLock('t')).toBeUndefined();
    const dead = await plantLock('u', { pid: deadPid() });
    expect(await store.breakLock('u')).toEqual(dead);
  });
});

describe('Function: acquireFileLock', () => {
  it('locks <dir>/<name>.lock outside any state dir, 0700, leaving missing parents at the default mode', async () => {
    const parent = join(dir, 'srv-app');
    const lockDir = join(parent, '.deploy', 'locks');
    const owner = currentLockOwner('run-a', 'deploy release');

    const handle = await acquireFileLock(lockDir, 'deploy', { owner });

    expect(await inspectFileLock(lockDir, 'deploy')).toMatchObject({ runId: 'run-a' });
    expect((await stat(lockDir)).mode & 0o777).toBe(0o700);
    // a directory made the ordinary way shows the default mode under this umask
    await mkdir(join(dir, 'plain'));
    expect((await stat(parent)).mode & 0o777).toBe((await stat(join(dir, 'plain'))).mode & 0o777);
    await expect(
      acquireFileLock(lockDir, 'deploy', { owner: currentLockOwner('run-b', 'deploy release') }),
    ).rejects.toBeInstanceOf(LockHeldError);
    await expect(breakFileLock(lockDir, 'deploy')).rejects.toBeInstanceOf(ConflictError);
    await handle.release();
    expect(await inspectFileLock(lockDir, 'deploy')).toBeUndefined();
  });

  it('breakFileLock removes a lock whose owner is gone and returns that owner', async () => {
    const lockDir = join(dir, 'elsewhere');
    await mkdir(lockDir, { recursive: true });
    const dead = { pid: deadPid(), host: hostname(), runId: 'gone', startedAt: '2025-01-01T00:00:00.000Z' };
    await writeFile(join(lockDir, 'deploy.lock'), JSON.stringify(dead));

    expect(await breakFileLock(lockDir, 'deploy')).toMatchObject({ runId: 'gone' });
    expect(await inspectFileLock(lockDir, 'deploy')).toBeUndefined();
  });
});
