import { Worker } from 'node:worker_threads';
import { type EntryColumns, EntryTable } from './EntryTable.js';
import { type ScanOptions, type ScanResult, scanTree } from './scanTree.js';
import { YOUNG_GENERATION_MB } from './youngGeneration.js';

type Reply =
  | { ok: true; result: Omit<ScanResult, 'entries'> & { columns: EntryColumns } }
  | { ok: false; error: { message: string; code?: string; path?: string } };

// bundled (dist/cli.cjs), the worker is its own bundle next to it; unbundled, it sits next to this file
const WORKER_SCRIPT = import.meta.url.endsWith('.cjs') ? './scanWorker.cjs' : './scanWorker.js';

/**
 * scanTree in a worker thread: the caller lists the other tree meanwhile. The result comes back
 * as columns (one string, four transferred arrays), not 50,000 objects.
 */
export function scanInWorker(root: string, options: ScanOptions): Promise<ScanResult> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL(WORKER_SCRIPT, import.meta.url), {
      workerData: { root, options },
      // a scan's garbage is short-lived Stats objects: a small young generation keeps the
      // thread's memory down at no measurable cost in time (see tree/youngGeneration.ts)
      resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB },
    });
    let settled = false;
    worker.once('message', (reply: Reply) => {
      settled = true;
      if (reply.ok) {
        const { columns, ...rest } = reply.result;
        resolve({ ...rest, entries: EntryTable.fromColumns(columns) });
      } else {
        reject(Object.assign(new Error(reply.error.message), reply.error));
      }
    });
    worker.once('error', (error) => {
      settled = true;
      reject(error);
    });
    worker.once('exit', (code) => {
      if (!settled) reject(new Error(`the scan worker exited with code ${code} before answering`));
    });
  });
}

/**
 * Scans `root` alongside another scan already running on this thread: in a worker thread when
 * that scan is still busy after `graceMs` (a large tree, where a second core halves the wait),
 * on this thread otherwise (a small tree, where the worker's ~40 ms start-up would only add).
 */
export async function scanBeside(
  root: string,
  options: ScanOptions,
  other: Promise<unknown>,
  graceMs = 15,
): Promise<ScanResult> {
  let timer: NodeJS.Timeout | undefined;
  const otherDoneFirst = await Promise.race([
    other.then(
      () => true,
      () => true,
    ),
    new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), graceMs);
    }),
  ]);
  clearTimeout(timer);
  return otherDoneFirst ? scanTree(root, options) : scanInWorker(root, options);
}
