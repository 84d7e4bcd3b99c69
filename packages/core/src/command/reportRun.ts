import { hostname } from 'node:os';
import { ExitCode } from '../errors/index.js';
import { sendHeartbeat, writePrometheusTextfile } from '../metrics/index.js';
import type { RunRecord } from '../state/index.js';
import { errorToJson, normalizeError } from './normalizeError.js';
import type { RunContext } from './TemperedCommand.js';

export interface RunEnding {
  error: Error | undefined;
  /** Set when the command knows more precisely how the run ended (noop, dry-run). */
  status: RunRecord['status'] | undefined;
  failedStep: string | undefined;
  dryRun: boolean;
  /** Whether the heartbeat's start ping went out (the run got past confirmation and the lock). */
  heartbeatStarted: boolean;
}

/**
 * The end of a run that changes things: the run record, the metrics textfile and the heartbeat's
 * closing ping. Each is best effort: none of them may change how the run itself ended.
 */
export async function reportRun(ctx: RunContext, ending: RunEnding): Promise<void> {
  const normalized = ending.error ? normalizeError(ending.error) : undefined;
  const exitCode = normalized?.exitCode ?? ExitCode.Success;
  const finishedAt = new Date();
  const record: RunRecord = {
    runId: ctx.runId,
    cli: ctx.cli,
    command: ctx.command,
    environment: ctx.environment.name,
    status: ending.status ?? statusFor(exitCode),
    exitCode,
    startedAt: ctx.startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    durationMs: finishedAt.getTime() - ctx.startedAt.getTime(),
    counts: ctx.counters.toJSON(),
    retries: ctx.counters.get('retries'),
    host: hostname(),
    pid: process.pid,
    ...(normalized
      ? {
          failure: {
            code: normalized.code,
            message: errorToJson(normalized).message,
            ...(ending.failedStep ? { step: ending.failedStep } : {}),
          },
        }
      : {}),
  };
  const { logger } = ctx;
  try {
    await ctx.store.recordRun(record);
  } catch (err) {
    logger.warn({ err }, 'could not write the run record');
  }
  if (ctx.settings.metricsFile) {
    try {
      await writePrometheusTextfile(ctx.settings.metricsFile, record);
    } catch (err) {
      logger.warn(
        { err, file: ctx.settings.metricsFile },
        'could not write the metrics file; the run is not affected',
      );
    }
  }
  // a run refused before it started (a protected environment without --yes) is a broken job
  // line: its failure ping alerts at once instead of when the heartbeat goes missing. Not for a
  // dry-run, a lock held by another run (75) or an operator's interrupt.
  const refusedEarly =
    !ending.heartbeatStarted &&
    !ending.dryRun &&
    exitCode !== ExitCode.Success &&
    exitCode !== ExitCode.Temporary &&
    exitCode !== ExitCode.Interrupted &&
    exitCode !== ExitCode.Terminated;
  if (ctx.settings.ping && (ending.heartbeatStarted || refusedEarly)) {
    await sendHeartbeat(ctx.settings.ping, exitCode === 0 ? 'success' : 'fail', { logger });
  }
  logger.info(
    { status: record.status, exit_code: exitCode, duration_ms: record.durationMs, counts: record.counts },
    'run finished',
  );
}

function statusFor(exitCode: number): RunRecord['status'] {
  switch (exitCode) {
    case ExitCode.Success:
      return 'success';
    case ExitCode.Partial:
      return 'partial';
    case ExitCode.Temporary:
      return 'temporary';
    case ExitCode.Interrupted:
    case ExitCode.Terminated:
      return 'interrupted';
    default:
      return 'failure';
  }
}
