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
  try {
    await retry(
      async ({ attempt, signal }) => {
        attempts = attempt;
        await client.get(check.url, {
          retry: false,
          expect: [check.expectStatus],
          responseType: 'none',
          signal,
        });
      },
      {
        maxAttempts: Math.max(1, Math.ceil(check.timeoutMs / check.intervalMs) + 1),
        baseDelayMs: check.intervalMs,
        maxDelayMs: check.intervalMs,
        attemptTimeoutMs: Math.max(1, Math.min(check.timeoutMs, MAX_ATTEMPT_MS)),
        deadlineMs: Math.max(1, check.timeoutMs),
        respectRetryAfter: false,
        // a poll, not a herd: wait the configured interval rather than a jittered part of it
        jitter: 'none',
      },
      {
        logger: ctx.logger,
        counters: ctx.counters,
        operation: `health check GET ${check.url}`,
        retryIf: () => true,
      },
    );
    return { healthy: true, attempts, durationMs: Math.round(performance.now() - started) };
  } catch (error) {
    // retry keeps what the app last answered as the cause, not a final attempt the deadline cut short
    const last = (error as { cause?: unknown }).cause ?? error;
    const message = last instanceof Error ? last.message : String(last);
    return {
      healthy: false,
      attempts,
      durationMs: Math.round(performance.now() - started),
      reason: `${message} (${attempts} attempt${attempts === 1 ? '' : 's'} in ${formatDuration(performance.now() - started)})`,
    };
  }
}
