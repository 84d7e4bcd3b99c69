import { hostname, userInfo } from 'node:os';
import {
  ConflictError,
  type LockHandle,
  LockHeldError,
  type LockOwner,
  ownerLiveness,
  sleep,
} from '@tempered/core';
import type { TargetLockOptions } from '../types.js';
import { type SshSession, shellQuote } from './SshSession.js';

/** The owner record kept on the host, beside its lease. */
export interface RemoteLockOwner extends LockOwner {
  user?: string | undefined;
  /** The release being deployed (`--version`), if named. */
  version?: string | undefined;
  /** `--message`. */
  message?: string | undefined;
  /** When the lease runs out unless renewed (the host's clock, ISO). */
  expiresAt?: string | undefined;
}

const TIMEOUT_MS = 30_000;
/** While waiting (--lock-wait) for a held lock: asked again this often. */
const POLL_MS = 1_000;

/**
 * A lock on one host, so that controllers with different state stores still never deploy the
 * same host at once: `<base>/.deploy/lock/` made complete in a private directory, then renamed
 * into place (one atomic step: two controllers never both succeed), holding the owner and a
 * lease the holder renews; a lock whose lease ran out (its controller was killed) is taken over
 * by the next deploy, with no human step. Times are the host's own clock.
 */
export class RemoteLock {
  readonly #session: SshSession;
  readonly #dir: string;
  readonly #ttlS: number;

  constructor(session: SshSession, base: string, ttlMs: number) {
    this.#session = session;
    this.#dir = `${base}/.deploy/lock`;
    this.#ttlS = Math.max(2, Math.ceil(ttlMs / 1000));
  }

  /**
   * Takes the lock; `then` (a script) runs on the host right after, in the same round trip, and
   * its output comes back with the handle.
   */
  async acquire(options: TargetLockOptions, then = ''): Promise<{ handle: LockHandle; output: string }> {
    const owner: RemoteLockOwner = { ...options.owner, user: safeUser() };
    const deadline = Date.now() + options.waitMs;
    for (;;) {
      const answer = await this.#script(
        acquireScript(this.#dir, owner, this.#ttlS, then),
        'take the host lock',
      );
      if (answer.startsWith('acquired')) {
        if (answer.startsWith('acquired-stale')) {
          options.logger.warn({ host: this.#session.label }, 'took over a host lock whose lease had run out');
        }
        return { handle: this.#handle(owner, options), output: answer.slice(answer.indexOf('\n') + 1) };
      }
      const holder = parseOwner(answer);
      if (Date.now() >= deadline || options.signal?.aborted) {
        throw new LockHeldError(
          `${this.#session.label}: deploy lock held by run ${holder?.runId ?? '?'} (pid ${holder?.pid ?? '?'} on ${holder?.host ?? '?'}${holder?.user ? `, user ${holder.user}` : ''}${holder?.version ? `, version ${holder.version}` : ''}${holder?.message ? `, "${holder.message}"` : ''}, since ${holder?.startedAt ?? '?'}; lease until ${holder?.expiresAt ?? '?'})`,
          holder ? { owner: holder } : {},
        );
      }
      await sleep(Math.min(POLL_MS, Math.max(0, deadline - Date.now())), options.signal);
    }
  }

  #handle(owner: RemoteLockOwner, options: TargetLockOptions): LockHandle {
    // renewed at a third of the lease: two renewals may fail before another controller may take it
    let renewing = false;
    const timer = setInterval(
      () => {
        // one renewal at a time: on a slow link they would otherwise pile up
        if (renewing) return;
        renewing = true;
        this.#script(renewScript(this.#dir, owner.runId, this.#ttlS), 'renew the host lock')
          .finally(() => {
            renewing = false;
          })
          .then(
            (answer) => {
              if (answer !== 'renewed') {
                options.logger.error(
                  { host: this.#session.label },
                  'host lock lost: another run took it over',
                );
              }
            },
            (error: unknown) =>
              options.logger.warn({ host: this.#session.label, err: error }, 'host lock renewal failed'),
          );
      },
      (this.#ttlS * 1000) / 3,
    );
    timer.unref();
    let released = false;
    return {
      owner,
      release: async () => {
        if (released) return;
        released = true;
        clearInterval(timer);
        // only our own lock: a run that lost its lease never removes the next holder's; a host
        // that cannot be reached keeps it until its lease runs out, and the run's own error
        // (why the host went away) is the one to report
        await this.#script(releaseScript(this.#dir, owner.runId), 'release the host lock').catch(
          (error: unknown) =>
            options.logger.warn(
              { host: this.#session.label, err: error },
              'host lock not released; it expires with its lease',
            ),
        );
      },
    };
  }

  async inspect(): Promise<RemoteLockOwner | undefined> {
    return parseOwner(await this.#script(inspectScript(this.#dir), 'read the host lock'));
  }

  /** Removes a lock whose lease ran out, or whose owner on this machine is gone; refuses a live one. */
  async break(): Promise<RemoteLockOwner | undefined> {
    const owner = await this.inspect();
    if (!owner) return undefined;
    if (ownerLiveness(owner) === 'alive') {
      throw new ConflictError(
        `${this.#session.label}: the host lock is held by run ${owner.runId}, still running (pid ${owner.pid} on ${owner.host}); refusing to unlock`,
        { hint: `stop that run first (kill ${owner.pid}), or wait for it to finish` },
      );
    }
    await this.#script(releaseScript(this.#dir, owner.runId), 'remove the host lock');
    return owner;
  }

  async #script(script: string, what: string): Promise<string> {
    const result = await this.#session.check('sh -s', { stdin: script, timeoutMs: TIMEOUT_MS }, what);
    return result.stdout.trim();
  }
}

function safeUser(): string | undefined {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER;
  }
}

function parseOwner(text: string): RemoteLockOwner | undefined {
  const line = text.split('\n').find((l) => l.startsWith('{'));
  if (!line) return undefined;
  try {
    const value = JSON.parse(line) as RemoteLockOwner;
    const expires = /^expires (\d+)$/m.exec(text)?.[1];
    if (expires !== undefined) value.expiresAt = new Date(Number(expires) * 1000).toISOString();
    return typeof value.runId === 'string' && typeof value.pid === 'number' ? value : undefined;
  } catch {
    return undefined;
  }
}

/** Prints `acquired`, `acquired-stale`, or `held` and the holder (owner line, `expires <epoch>`). */
function acquireScript(dir: string, owner: RemoteLockOwner, ttlS: number, then: string): string {
  const L = shellQuote(dir);
  const json = shellQuote(JSON.stringify({ ...owner, host: owner.host || hostname() }));
  return `set -u
L=${L}
mkdir -p "$(dirname "$L")" || exit 1
take() {
  T="$L.new.$$"
  rm -rf "$T" && mkdir "$T" || return 1
  printf '%s\\n' ${json} > "$T/owner.json" && printf '%s\\n' ${shellQuote(owner.runId)} > "$T/run" &&
    echo $(( $(date +%s) + ${ttlS} )) > "$T/expires" || { rm -rf "$T"; return 1; }
  # a rename onto an existing lock fails (not empty): exactly one controller wins
  if mv -T "$T" "$L" 2>/dev/null; then return 0; fi
  rm -rf "$T"
  return 1
}
after() {
${then || ':'}
}
if take; then echo acquired; (after); exit 0; fi
now=$(date +%s)
exp=$(cat "$L/expires" 2>/dev/null || echo)
run=$(cat "$L/run" 2>/dev/null || echo)
if [ -n "$exp" ] && [ "$exp" -lt "$now" ]; then
  S="$L.stale.$$"
  if mv -T "$L" "$S" 2>/dev/null; then
    # moved a lock taken meanwhile by another run (not the stale one seen): put it back
    if [ "$(cat "$S/run" 2>/dev/null)" != "$run" ]; then mv -T "$S" "$L" 2>/dev/null || true; else rm -rf "$S"; fi
  fi
  if take; then echo acquired-stale; (after); exit 0; fi
fi
echo held
cat "$L/owner.json" 2>/dev/null
echo "expires $(cat "$L/expires" 2>/dev/null || echo 0)"
`;
}

function renewScript(dir: string, runId: string, ttlS: number): string {
  const L = shellQuote(dir);
  return `L=${L}
if [ "$(cat "$L/run" 2>/dev/null)" = ${shellQuote(runId)} ]; then
  echo $(( $(date +%s) + ${ttlS} )) > "$L/expires.tmp" && mv -f "$L/expires.tmp" "$L/expires" && echo renewed
else
  echo lost
fi
`;
}

function releaseScript(dir: string, runId: string): string {
  const L = shellQuote(dir);
  return `L=${L}
if [ "$(cat "$L/run" 2>/dev/null)" = ${shellQuote(runId)} ]; then
  R="$L.released.$$"
  mv -T "$L" "$R" && rm -rf "$R" && echo released
else
  echo not-ours
fi
`;
}

function inspectScript(dir: string): string {
  const L = shellQuote(dir);
  return `L=${L}
[ -d "$L" ] || exit 0
cat "$L/owner.json" 2>/dev/null
echo "expires $(cat "$L/expires" 2>/dev/null || echo 0)"
`;
}
