import { type Counters, formatDuration, type HttpClient, type Logger, secrets } from '@tempered/core';
import { ReleaseFailedError } from '../errors.js';
import { waitHealthy } from '../health/waitHealthy.js';
import type { DeployStep, HookPhase, Operation } from '../plan/steps.js';
import { assertSwitchAllowed, recordSwitch } from '../release/fencing.js';
import {
  beginRelease,
  beginRollback,
  failRelease,
  finishRelease,
  finishRollback,
} from '../release/releaseLog.js';
import type { ReleaseLog } from '../release/types.js';
import type { DeployConfig } from '../section.js';
import type { DeployTarget } from '../target/types.js';

export interface StepRunnerOptions {
  target: DeployTarget;
  config: DeployConfig;
  operation: Operation;
  environment: string;
  runId: string;
  /** `user@host`, recorded in the release log. */
  by: string;
  /** The run's HTTP client (its logger and retry counters), made on first use. */
  httpClient: () => Promise<HttpClient>;
  /** The run lock's fencing token (PostgreSQL state): recorded at each switch, checked first. */
  lockToken?: number | string | undefined;
  now?: () => Date;
}

export interface StepContext {
  logger: Logger;
  counters?: Counters | undefined;
}

/** Applies one planned step to the target. Each step is idempotent: a resumed run may repeat the one it died in. */
export class StepRunner {
  readonly #o: StepRunnerOptions;

  constructor(options: StepRunnerOptions) {
    this.#o = options;
  }

  async apply(step: DeployStep, ctx: StepContext): Promise<unknown> {
    const { target } = this.#o;
    switch (step.step) {
      case 'sweep':
        await target.removeLeftover(step.name);
        ctx.logger.info({ leftover: step.name }, 'removed a leftover of an interrupted run');
        return undefined;
      case 'begin-release':
        await this.#updateLog((log) =>
          beginRelease(log, {
            id: step.release,
            version: step.version,
            digest: step.digest,
            artifact: step.artifact,
            previous: step.previous,
            attempt: step.attempt,
            ...this.#who(),
          }),
        );
        ctx.logger.info({ release: step.release, previous: step.previous }, 'release begun');
        return undefined;
      case 'create':
        await target.prepareRelease(step.release, step.artifact, {
          replace: step.replace,
          keepSpecialBits: this.#o.config.keepSpecialBits,
          limits: this.#o.config.artifactLimits,
          onStripped: (member, mode) =>
            ctx.logger.warn(
              { release: step.release, member, mode: `0${mode.toString(8)}` },
              'setuid/setgid/sticky bits stripped from an artifact entry (deploy.keepSpecialBits keeps them)',
            ),
        });
        ctx.logger.info(
          { release: step.release, digest: step.artifact.digest, entries: step.artifact.entries },
          'release created',
        );
        return undefined;
      case 'link-shared':
        await target.linkShared(step.release, step.paths);
        ctx.logger.info({ release: step.release, shared: step.paths }, 'shared paths linked');
        return undefined;
      case 'hook':
        return this.#hookStep(step, ctx);
      case 'switch':
        await this.#switch(step.release);
        ctx.logger.info({ release: step.release, from: step.from }, 'switched current');
        return undefined;
      case 'healthcheck':
        return this.#healthStep(step, ctx);
      case 'remove':
        await target.removeRelease(step.release);
        ctx.logger.info({ release: step.release }, 'old release removed');
        return undefined;
      case 'finish-release': {
        // the listing and the log in one read (one round trip to a remote host)
        const { state, log } = await target.snapshot();
        const present = new Set(state.releases.map((r) => r.id));
        const finished = finishRelease(log, {
          id: step.release,
          // what this run removed, and what an interrupted run removed before it died
          removed: log.releases.filter((r) => !present.has(r.id) && !r.removedAt).map((r) => r.id),
          ...this.#who(),
        });
        await target.writeLog(secrets.redact(finished));
        ctx.logger.info({ release: step.release }, 'release recorded as good');
        return undefined;
      }
      case 'begin-rollback':
        await this.#updateLog((log) =>
          beginRollback(log, { to: step.release, from: step.from, attempt: step.attempt, ...this.#who() }),
        );
        return undefined;
      case 'finish-rollback':
        await this.#updateLog((log) =>
          finishRollback(log, { to: step.release, from: step.from, ...this.#who() }),
        );
        ctx.logger.info({ release: step.release, from: step.from }, 'rollback recorded');
        return undefined;
      case 'noop':
        return undefined;
    }
  }

  async #hookStep(step: Extract<DeployStep, { step: 'hook' }>, ctx: StepContext): Promise<unknown> {
    const result = await this.#runHook(step.phase, step.index, step.release, step.run, step.timeoutMs, ctx);
    if (!result.ok) {
      const what = `${step.phase} hook "${step.run}" ${result.why}`;
      if (step.phase === 'beforeSwitch') await this.#failBeforeSwitch(what);
      else await this.#failAfterSwitch(what, ctx);
    }
    return { durationMs: result.durationMs };
  }

  async #healthStep(step: Extract<DeployStep, { step: 'healthcheck' }>, ctx: StepContext): Promise<unknown> {
    const client = await this.#o.httpClient();
    ctx.logger.info({ release: step.release, url: step.url }, 'health check started');
    const result = await waitHealthy(client, step, ctx);
    if (!result.healthy) await this.#failAfterSwitch(`health check failed: ${result.reason}`, ctx);
    ctx.logger.info(
      { release: step.release, attempts: result.attempts, duration_ms: result.durationMs },
      'healthy',
    );
    return { attempts: result.attempts, durationMs: result.durationMs };
  }

  async #runHook(
    phase: HookPhase,
    index: number,
    release: string,
    run: string,
    timeoutMs: number,
    ctx: StepContext,
  ): Promise<{ ok: boolean; why: string; durationMs: number }> {
    const { target, environment, operation } = this.#o;
    const logger = ctx.logger.child({ hook: phase, index, release });
    logger.info({ run, timeout_ms: timeoutMs }, 'hook started');
    const env: Record<string, string> = {};
    for (const [key, value] of Object.entries(process.env)) if (value !== undefined) env[key] = value;
    Object.assign(env, {
      DEPLOY_RELEASE: release,
      DEPLOY_TARGET: target.display,
      DEPLOY_ENVIRONMENT: environment,
      DEPLOY_HOOK: phase,
      DEPLOY_PREVIOUS_RELEASE: (release === operation.release ? operation.previous : operation.release) ?? '',
    });
    const result = await target.exec(release, run, {
      timeoutMs,
      env,
      // masked first, then cut to what a log line shows: cut first, a secret across the cut
      // would no longer be recognised and its first part would be printed
      onLine: (stream, line) =>
        logger.info({ stream, line: cutLine(secrets.redactString(line)) }, 'hook output'),
    });
    const ok = result.exitCode === 0 && !result.timedOut;
    const why = result.timedOut
      ? `timed out after ${formatDuration(timeoutMs)}`
      : result.signal
        ? `was killed by ${result.signal}`
        : `exited ${result.exitCode}`;
    (ok ? logger.info.bind(logger) : logger.warn.bind(logger))(
      {
        exit_code: result.exitCode,
        signal: result.signal,
        timed_out: result.timedOut,
        duration_ms: result.durationMs,
      },
      ok ? 'hook finished' : 'hook failed',
    );
    return { ok, why, durationMs: result.durationMs };
  }

  /** Before the switch nothing went live: mark the release failed and stop; `current` never moved. */
  async #failBeforeSwitch(what: string): Promise<never> {
    const { operation } = this.#o;
    await this.#updateLog((log) =>
      failRelease(log, { id: operation.release, action: operation.kind, reason: what, ...this.#who() }),
    );
    const current = (await this.#o.target.inspect()).current;
    throw new ReleaseFailedError(
      `release ${operation.release} aborted before the switch: ${what}; current still points to ${current ?? 'nothing'}`,
      { release: operation.release, hint: 'fix the hook or the release, then deploy again' },
    );
  }

  /**
   * After the switch: a release that fails goes back to the previous good release (afterSwitch
   * hooks run again there) and is marked failed. A rollback that fails stays where it is: the
   * release it left is the one being rolled back from.
   */
  async #failAfterSwitch(what: string, ctx: StepContext): Promise<never> {
    const { operation } = this.#o;
    const back = operation.kind === 'release' ? operation.previous : undefined;
    // the log first: a crash from here on leaves a release marked failed, never one marked good
    await this.#updateLog((log) =>
      failRelease(log, {
        id: operation.release,
        action: operation.kind,
        reason: what,
        rolledBackTo: back,
        ...this.#who(),
      }),
    );
    if (operation.kind === 'rollback') {
      throw new ReleaseFailedError(
        `rollback to ${operation.release} done, but ${what}; current stays on ${operation.release}`,
        {
          release: operation.release,
          hint: 'deploy list shows the releases; roll back to another one or deploy a fix',
        },
      );
    }
    if (back === undefined) {
      throw new ReleaseFailedError(
        `release ${operation.release} failed (${what}) and there is no earlier good release to roll back to; current still points to ${operation.release}`,
        { release: operation.release, hint: 'fix the release and deploy again' },
      );
    }
    const hooks = await this.#switchBack(back, what, ctx);
    throw new ReleaseFailedError(
      `release ${operation.release} failed and was rolled back to ${back}: ${what}${hooks}`,
      {
        release: operation.release,
        rolledBackTo: back,
        hint: `deploy list shows ${operation.release} as failed; fix it and deploy again`,
      },
    );
  }

  /** `current` back to `back`, and the afterSwitch hooks there; says which hooks failed, if any. */
  async #switchBack(back: string, what: string, ctx: StepContext): Promise<string> {
    const { operation } = this.#o;
    ctx.logger.warn(
      { release: operation.release, rollback_to: back, reason: what },
      'release failed; rolling back',
    );
    await this.#switch(back);
    ctx.logger.warn({ release: back, from: operation.release }, 'rolled back');
    const hookFailures: string[] = [];
    for (const [index, hook] of this.#o.config.hooks.afterSwitch.entries()) {
      const result = await this.#runHook('afterSwitch', index, back, hook.run, hook.timeoutMs, ctx).catch(
        (error: unknown) => ({
          ok: false,
          why: `could not start: ${(error as Error).message}`,
          durationMs: 0,
        }),
      );
      if (!result.ok) hookFailures.push(`"${hook.run}" ${result.why}`);
    }
    return hookFailures.length > 0
      ? `; afterSwitch hooks failed on ${back} too: ${hookFailures.join(', ')}`
      : '';
  }

  /**
   * Another host of the fleet failed: this host goes back to the release it had before this run
   * if the run switched it, and the release is marked failed here too. Returns where it went back
   * to, or undefined when this run had not switched it (nothing to undo).
   */
  async revert(what: string, ctx: StepContext): Promise<{ back?: string; hooks: string } | undefined> {
    const { operation, target } = this.#o;
    if (operation.kind !== 'release' || operation.noop) return undefined;
    const current = (await target.inspect()).current;
    const back = operation.previous;
    const log = await target.readLog();
    const pending = log.pending?.kind === 'release' && log.pending.release === operation.release;
    if (current !== operation.release) {
      // never switched: the release is left unfinished, marked failed so a re-run starts afresh
      if (pending)
        await this.#updateLog((l) =>
          failRelease(l, { id: operation.release, action: 'release', reason: what, ...this.#who() }),
        );
      return undefined;
    }
    await this.#updateLog((l) =>
      failRelease(l, {
        id: operation.release,
        action: 'release',
        reason: what,
        rolledBackTo: back,
        ...this.#who(),
      }),
    );
    if (back === undefined) return { hooks: '' };
    return { back, hooks: await this.#switchBack(back, what, ctx) };
  }

  /** Read, update, write back atomically; redacted, as failure messages quote hook commands that may hold a secret. */
  /** Moves `current`; with a lock token, only if no later run switched, and recording the token first. */
  async #switch(release: string): Promise<void> {
    const token = this.#o.lockToken;
    if (token !== undefined) {
      const log = await this.#o.target.readLog();
      assertSwitchAllowed(log, String(token), release);
      await this.#o.target.writeLog(secrets.redact(recordSwitch(log, String(token), release)));
    }
    await this.#o.target.switchTo(release);
  }

  async #updateLog(update: (log: ReleaseLog) => ReleaseLog): Promise<void> {
    const log = await this.#o.target.readLog();
    await this.#o.target.writeLog(secrets.redact(update(log)));
  }

  #who(): { by: string; runId: string; now: string } {
    return { by: this.#o.by, runId: this.#o.runId, now: (this.#o.now?.() ?? new Date()).toISOString() };
  }
}

/** Longest hook output line logged; the rest is cut, after masking. */
const MAX_LOGGED_LINE = 8_192;

function cutLine(line: string): string {
  return line.length > MAX_LOGGED_LINE ? `${line.slice(0, MAX_LOGGED_LINE)}...` : line;
}
