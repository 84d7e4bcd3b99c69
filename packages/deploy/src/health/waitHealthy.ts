import { type Counters, formatDuration, type HttpClient, type Logger, retry } from '@tempered/core';
import type { HealthcheckConfig } from '../section.js';

export interface HealthResult {
  healthy: boolean;
  attempts: number;
  durationMs: number;
  /** Why the last attempt failed, when not healthy. */
  reason?: string;
}

/** One attempt never waits longer than this, however long the overall timeout. */
const MAX_ATTEMPT_MS = 10_000;

/**
 * Polls the health URL until it answers `expectStatus`, within `timeoutMs` overall: core's retry
 * owns the loop (deadline, per-attempt timeout, a log line and a counted retry per failed
 * attempt), the run's HTTP client sends each request once. Every failure is worth another try
 * while the app boots (refused, 404, 503...), so all are retried until the deadline.
 */
export async function waitHealthy(
  client: HttpClient,
  check: HealthcheckConfig,
  ctx: { logger: Logger; counters?: Counters | undefined },
): Promise<HealthResult> {
  const started = performance.now();
  let attempts = 0;
  // what the app last said: the final attempt may be cut short by the deadline, and "timed out
  // after 8ms" would hide the 503 every attempt before it got
  let lastAnswer: string | undefined;
  try {
    await retry(
      async ({ attempt, signal }) => {
        attempts = attempt;
        try {
          await client.get(check.url, {
            retry: false,
            expect: [check.expectStatus],
            responseType: 'none',
            signal,
          });
        } catch (error) {
          if (!signal.aborted) lastAnswer = error instanceof Error ? error.message : String(error);
          throw error;
        }
      },
      {
        maxAttempts: Math.max(1, Math.ceil(check.timeoutMs / check.intervalMs) + 1),
        baseDelayMs: check.intervalMs,
        maxDelayMs: check.intervalMs,
        attemptTimeoutMs: Math.max(1, Math.min(check.timeoutMs, MAX_ATTEMPT_MS)),
        deadlineMs: Math.max(1, check.timeoutMs),
        respectRetryAfter: false,
      },
      {
        logger: ctx.logger,
        counters: ctx.counters,
        operation: `health check GET ${check.url}`,
        retryIf: () => true,
        // a poll, not a herd: wait the configured interval rather than a jittered part of it
        random: () => 0.999,
      },
    );
    return { healthy: true, attempts, durationMs: Math.round(performance.now() - started) };
  } catch (error) {
    const last = (error as { cause?: unknown }).cause ?? error;
    const message = lastAnswer ?? (last instanceof Error ? last.message : String(last));
    return {
      healthy: false,
      attempts,
      durationMs: Math.round(performance.now() - started),
      reason: `${message} (${attempts} attempt${attempts === 1 ? '' : 's'} in ${formatDuration(performance.now() - started)})`,
    };
  }
}
