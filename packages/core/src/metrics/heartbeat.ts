import type { Logger } from '../log/index.js';
import { redactUrl } from '../log/index.js';

export type HeartbeatEvent = 'start' | 'success' | 'fail';

/** healthchecks.io convention: `<url>/start`, `<url>`, `<url>/fail`. */
export function heartbeatUrl(base: string, event: HeartbeatEvent): string {
  const trimmed = base.replace(/\/+$/, '');
  return event === 'success' ? trimmed : `${trimmed}/${event}`;
}

/**
 * Best effort by design: a monitoring outage must never fail or slow the job it monitors, so
 * one short attempt through core's HTTP client and a warning on failure.
 */
export async function sendHeartbeat(
  base: string,
  event: HeartbeatEvent,
  options: { logger: Logger; timeoutMs?: number; body?: string },
): Promise<boolean> {
  const url = heartbeatUrl(base, event);
  const { HttpClient } = await import('../http/index.js');
  const timeoutMs = options.timeoutMs ?? 5000;
  const client = new HttpClient({
    logger: options.logger,
    connectTimeoutMs: timeoutMs,
    headersTimeoutMs: timeoutMs,
    bodyTimeoutMs: timeoutMs,
    retry: { maxAttempts: 1, attemptTimeoutMs: timeoutMs, deadlineMs: timeoutMs },
  });
  try {
    await client.request({
      method: 'POST',
      url,
      body: options.body ?? '',
      responseType: 'none',
      retry: false,
    });
    options.logger.debug({ event, url: redactUrl(url) }, 'heartbeat sent');
    return true;
  } catch (error) {
    options.logger.warn(
      { event, url: redactUrl(url), err: error },
      'heartbeat ping failed; the run is not affected',
    );
    return false;
  } finally {
    await client.close();
  }
}
