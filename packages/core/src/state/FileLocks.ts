import { mkdir, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { ConflictError, LockHeldError, type LockOwner } from '../errors/index.js';
import { fsyncDir, writeFileExclusive } from '../fs/index.js';
import { type Logger, silentLogger } from '../log/index.js';
import { sleep } from '../retry/sleep.js';
import { formatDuration } from '../util/index.js';
import { RACE, STATE_DEFAULTS } from './constants.js';
import { ensureDir, fileNameFor, readTextIfExists } from './files.js';
import {
  describeOwner,
  type Liveness,
  ownerLiveness,
  parseLockOwner,
  serializeLockOwner,
} from './lockOwner.js';
import { replaceIfUnchanged } from './replaceIfUnchanged.js';
import type { AcquireLockOptions, LockHandle } from './types.js';

// files are created whole (link), so an unreadable one is corruption, not a write in progress;
// the grace only covers the O_EXCL fallback on filesystems without hard links
const UNREADABLE_GRACE_MS = 5_000;

type Attempt =
  | { kind: 'acquired' }
  | { kind: 'held'; holder: LockOwner; liveness: Liveness }
  | { kind: 'race' };

/**
 * Run locks as files: `<dir>/<name>.lock` holding the owner as JSON, created exclusively.
 * A lock whose owner died on this host (pid gone, or reused by another process) is taken over.
 * @internal
 */
export class FileLocks {
  readonly #dir: string;
  readonly #logger: Logger;
  readonly #makeDir: (dir: string) => Promise<void>;

  constructor(dir: string, logger: Logger, makeDir: (dir: string) => Promise<void> = ensureDir) {
    this.#dir = dir;
    this.#logger = logger;
    this.#makeDir = makeDir;
  }

  async acquire(name: string, options: AcquireLockOptions): Promise<LockHandle> {
    const path = this.#path(name);
    const logger = options.logger ?? this.#logger;
    const waitMs = options.waitMs ?? 0;
    const pollMs = Math.max(1, options.pollMs ?? STATE_DEFAULTS.lockPollMs);
    const deadline = Date.now() + waitMs;
    const content = serializeLockOwner(options.owner);
    await this.#makeDir(this.#dir);
    let races = 0;
    let waiting = false;
    for (;;) {
      options.signal?.throwIfAborted();
      const attempt = await this.#tryAcquire(name, path, content, logger);
      if (attempt.kind === 'acquired') {
        if (waiting) logger.info({ lock: name }, 'lock acquired after waiting');
        return new FileLockHandle(name, path, options.owner, logger);
      }
      if (attempt.kind === 'race' && ++races < RACE.attempts) {
        await sleep(RACE.delayMs, options.signal);
        continue;
      }
      const remaining = deadline - Date.now();
      // after a lost race the file is mid-takeover: the new holder is not known yet
      const holder = attempt.kind === 'held' ? attempt.holder : undefined;
      if (remaining <= 0)
        throw lockHeld(name, holder, attempt.kind === 'held' ? attempt.liveness : 'alive', waitMs);
      if (!waiting) logger.info({ lock: name, holder, wait_ms: waitMs }, 'lock held by another run; waiting');
      waiting = true;
      races = 0;
      await sleep(Math.min(pollMs, remaining), options.signal);
    }
  }

  async inspect(name: string): Promise<LockOwner | undefined> {
    const raw = await readTextIfExists(this.#path(name));
    return raw === undefined ? undefined : parseLockOwner(raw);
  }

  async break(name: string): Promise<LockOwner | undefined> {
    const path = this.#path(name);
    for (let attempt = 0; attempt < RACE.attempts; attempt++) {
      const raw = await readTextIfExists(path);
      if (raw === undefined) return undefined;
      const holder = parseLockOwner(raw);
      if (holder && ownerLiveness(holder) === 'alive') {
        throw new ConflictError(
          `lock "${name}" is held by ${describeOwner(holder)}, which is still running`,
          {
            hint: `stop that run first (kill ${holder.pid}), or wait for it to finish`,
          },
        );
      }
      if (await replaceIfUnchanged(path, raw, undefined)) {
        this.#logger.warn({ lock: name, previous_owner: holder }, 'lock broken');
        return holder;
      }
    }
    throw new ConflictError(`lock "${name}" keeps changing hands; retry unlock`);
  }

  async #tryAcquire(name: string, path: string, content: string, logger: Logger): Promise<Attempt> {
    if (await writeFileExclusive(path, content)) return { kind: 'acquired' };
    const raw = await readTextIfExists(path);
    if (raw === undefined) return { kind: 'race' };
    const holder = parseLockOwner(raw);
    if (holder === undefined && !(await olderThan(path, UNREADABLE_GRACE_MS))) return { kind: 'race' };
    const liveness: Liveness = holder ? ownerLiveness(holder) : 'dead';
    if (holder && liveness !== 'dead') return { kind: 'held', holder, liveness };
    if (!(await replaceIfUnchanged(path, raw, content))) return { kind: 'race' };
    logger.warn(
      { lock: name, previous_owner: holder ?? { unreadable: raw.slice(0, 200) } },
      'took over stale lock',
    );
    return { kind: 'acquired' };
  }

  #path(name: string): string {
    return join(this.#dir, `${fileNameFor(name, 'lock name')}.lock`);
  }
}

/**
 * The lock `<dir>/<name>.lock`, as the state store's run locks are made (exclusive create, the
 * owner as JSON, a dead owner's lock taken over, LockHeldError exit 75 while a live run holds
 * it), in any directory: e.g. one inside the target a command changes, so runs from other state
 * dirs or users exclude each other too. `dir` itself is created 0700 if missing; missing parents
 * get the default mode (not 0700: a fresh `/srv/app` must stay readable to the app's user).
 */
export function acquireFileLock(dir: string, name: string, options: AcquireLockOptions): Promise<LockHandle> {
  return new FileLocks(dir, options.logger ?? silentLogger(), makeLockDir).acquire(name, options);
}

/** The owner recorded in `<dir>/<name>.lock`, or undefined when it is not held. */
export function inspectFileLock(dir: string, name: string): Promise<LockOwner | undefined> {
  return new FileLocks(dir, silentLogger(), makeLockDir).inspect(name);
}

/**
 * Removes `<dir>/<name>.lock` whatever its state, for an `unlock` command; returns the owner it
 * removed. Refuses (ConflictError) while the owner is alive on this host.
 */
export function breakFileLock(
  dir: string,
  name: string,
  options: { logger?: Logger } = {},
): Promise<LockOwner | undefined> {
  return new FileLocks(dir, options.logger ?? silentLogger(), makeLockDir).break(name);
}

async function makeLockDir(dir: string): Promise<void> {
  await mkdir(dirname(dir), { recursive: true });
  await mkdir(dir, { recursive: true, mode: 0o700 });
}

class FileLockHandle implements LockHandle {
  readonly owner: LockOwner;
  readonly #name: string;
  readonly #path: string;
  readonly #logger: Logger;
  #released = false;

  constructor(name: string, path: string, owner: LockOwner, logger: Logger) {
    this.#name = name;
    this.#path = path;
    this.owner = owner;
    this.#logger = logger;
  }

  async release(): Promise<void> {
    if (this.#released) return;
    this.#released = true;
    const raw = await readTextIfExists(this.#path);
    const holder = raw === undefined ? undefined : parseLockOwner(raw);
    if (holder?.runId !== this.owner.runId) {
      // someone broke or took over our lock; removing theirs would let a third run in
      this.#logger.warn({ lock: this.#name, holder }, 'lock no longer ours at release; left in place');
      return;
    }
    await rm(this.#path, { force: true });
    await fsyncDir(dirname(this.#path));
  }
}

function lockHeld(
  name: string,
  holder: LockOwner | undefined,
  liveness: Liveness,
  waitMs: number,
): LockHeldError {
  const waited = waitMs > 0 ? ` after waiting ${formatDuration(waitMs)}` : '';
  if (!holder) return new LockHeldError(`lock "${name}" is being taken over by another run${waited}`);
  const base = `lock "${name}" is held by ${describeOwner(holder)}${waited}`;
  if (liveness === 'unknown') {
    return new LockHeldError(
      `${base}; that host cannot be checked from here: if that run is gone, remove the lock with the unlock command`,
      { owner: holder, hint: 'run the unlock command once you know that run is no longer running' },
    );
  }
  return new LockHeldError(base, { owner: holder });
}

async function olderThan(path: string, ms: number): Promise<boolean> {
  const stats = await stat(path).catch(() => undefined);
  return stats !== undefined && Date.now() - stats.mtimeMs > ms;
}
