import type { Logger } from '../log/index.js';
import { redactUrl, secrets } from '../log/index.js';

/**
 * healthchecks.io's ping API: `start` when the run really starts, the run's exit code when it ends
 * (0 is success, anything else a failure), `log` for an event that changes nothing (a temporary
 * failure cron will retry).
 */
export type HeartbeatEvent = 'start' | 'log' | number;

/**
 * `<url>/start?rid=<uuid>`, `<url>/<exit code>?rid=<uuid>`, `<url>/log?rid=<uuid>`. The run id
 * pairs a start with its end, so the monitor measures each run's duration even when two overlap;
 * healthchecks accepts only a UUID there. A query the base URL already has (`?create=1`) is kept.
 */
export function heartbeatUrl(base: string, event: HeartbeatEvent, rid?: string): string {
  const url = new URL(base);
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/${event}`;
  if (rid !== undefined) url.searchParams.set('rid', rid);
  return url.toString();
}

export interface HeartbeatOptions {
  logger: Logger;
  /** The run's UUID, the same on its start and its end ping. */
  rid?: string | undefined;
  /** The request body (healthchecks shows it with the event): the log's tail on the end ping. */
  body?: string | undefined;
  timeoutMs?: number;
}

/**
 * Best effort by design: a monitoring outage must never fail or slow the job it monitors, so
 * one short attempt through core's HTTP client and a warning on failure.
 */
export async function sendHeartbeat(
  base: string,
  event: HeartbeatEvent,
  options: HeartbeatOptions,
): Promise<boolean> {
  const url = heartbeatUrl(base, event, options.rid);
  const fields = { event, url: redactUrl(url), ...(options.rid ? { ping_rid: options.rid } : {}) };
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
      // the tail was redacted line by line as it was logged; once more for a secret learnt since
      body: secrets.redactString(options.body ?? ''),
      headers: { 'content-type': 'text/plain; charset=utf-8' },
      responseType: 'none',
      retry: false,
    });
    options.logger.debug(fields, 'heartbeat sent');
    return true;
  } catch (error) {
    options.logger.warn({ ...fields, err: error }, 'heartbeat ping failed; the run is not affected');
    return false;
  } finally {
    await client.close();
  }
}
