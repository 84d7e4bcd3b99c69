import { hostname } from 'node:os';
import { ExitCode } from '../errors/index.js';
import type { RunContext } from '../job/runContext.js';
import {
  type HeartbeatEvent,
  metricsPathIn,
  sendHeartbeat,
  writePrometheusTextfile,
} from '../metrics/index.js';
import type { RunRecord } from '../state/index.js';
import { errorToJson, normalizeError } from './normalizeError.js';

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
 * closing ping with the log's tail. Each is best effort: none may change how the run ended.
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
  // a dry-run changed nothing, so it leaves the job's metrics as the last real run left them
  if (!ending.dryRun) await writeMetrics(ctx, record);
  // before the closing ping, so the log tail it carries ends with how the run ended
  logger.info(
    { status: record.status, exit_code: exitCode, duration_ms: record.durationMs, counts: record.counts },
    'run finished',
  );
  const event = closingPing(exitCode, ending);
  if (ctx.settings.ping && event !== undefined) {
    await sendHeartbeat(ctx.settings.ping, event, {
      logger,
      rid: ctx.pingRunId,
      body: ctx.logTail.text(),
    });
  }
}

/**
 * Which ping ends the run, if any (healthchecks.io protocol):
 * - a dry-run pings nothing: it is not the job running;
 * - a temporary failure (75: the lock is held, retries ran out on an outage) is `/log`, an event
 *   that leaves the check's status alone: cron's next run is the retry;
 * - a run whose `/start` went out ends with `/<exit code>` (0 success, anything else a failure);
 * - a run refused before it started (a protected environment without --yes) is a broken job line:
 *   its `/<exit code>` alerts at once instead of when the heartbeat goes missing. Not an
 *   operator's interrupt (130, 143) before the start.
 */
export function closingPing(
  exitCode: number,
  ending: Pick<RunEnding, 'dryRun' | 'heartbeatStarted'>,
): HeartbeatEvent | undefined {
  if (ending.dryRun) return undefined;
  if (exitCode === ExitCode.Temporary) return 'log';
  if (ending.heartbeatStarted) return exitCode;
  const refusedEarly =
    exitCode !== ExitCode.Success && exitCode !== ExitCode.Interrupted && exitCode !== ExitCode.Terminated;
  return refusedEarly ? exitCode : undefined;
}

/** The explicit `metricsFile` and the job's own file in `metricsDir`, each when set. */
async function writeMetrics(ctx: RunContext, record: RunRecord): Promise<void> {
  const { metricsFile, metricsDir } = ctx.settings;
  const files = [metricsFile, metricsDir === undefined ? undefined : metricsPathIn(metricsDir, record)];
  for (const file of files) {
    if (file === undefined) continue;
    try {
      await writePrometheusTextfile(file, record);
    } catch (err) {
      ctx.logger.warn({ err, file }, 'could not write the metrics file; the run is not affected');
    }
  }
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
