import pMap, { pMapSkip } from 'p-map';
import { InterruptedError, TemperedError } from '../errors/index.js';

export interface MapConcurrentlyOptions {
  /** Calls in flight at once (at least 1; default 1: strictly in order). */
  concurrency?: number | undefined;
  /** Once aborted, no new call starts; the result is the interruption. */
  signal?: AbortSignal | undefined;
}

/**
 * Maps with at most `concurrency` calls in flight (p-map); results keep the input order.
 *
 * What it adds to p-map: a failure or an abort stops new calls, but the promise settles only
 * when the calls already running have settled, so no work of ours runs on after the caller has
 * moved on (released its lock, closed its journal). p-map rejects at once and leaves them running.
 * The first failure wins; an abort rejects with the signal's TemperedError reason (SIGINT/SIGTERM
 * set an InterruptedError), else an InterruptedError.
 */
export async function mapConcurrently<T, U>(
  items: Iterable<T>,
  fn: (item: T, index: number) => Promise<U>,
  options: MapConcurrentlyOptions = {},
): Promise<U[]> {
  const { signal } = options;
  let stop: { error: unknown } | undefined;
  const results = await pMap(
    items,
    async (item, index) => {
      if (stop === undefined && signal?.aborted) stop = { error: interruption(signal) };
      if (stop !== undefined) return pMapSkip;
      try {
        return await fn(item, index);
      } catch (error) {
        stop ??= { error };
        return pMapSkip;
      }
    },
    { concurrency: Math.max(1, Math.floor(options.concurrency ?? 1)) },
  );
  if (stop !== undefined) throw stop.error;
  return results;
}

/** The error an aborted signal stands for: its reason when ours, else a plain interruption. */
export function interruption(signal: AbortSignal): TemperedError {
  return signal.reason instanceof TemperedError ? signal.reason : new InterruptedError('SIGTERM');
}
