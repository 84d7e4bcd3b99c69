import { parentPort, workerData } from 'node:worker_threads';
import { type ScanOptions, scanTree } from './scanTree.js';

/** Runs one scanTree in a worker thread, so both trees are listed at once on two cores. */
const { root, options } = workerData as { root: string; options: ScanOptions };
try {
  const { entries, ...rest } = await scanTree(root, options);
  const columns = entries.toColumns();
  parentPort?.postMessage({ ok: true, result: { ...rest, columns } }, [
    columns.types.buffer,
    columns.sizes.buffer,
    columns.mtimes.buffer,
    columns.modes.buffer,
  ]);
} catch (error) {
  const { message, code, path } = error as NodeJS.ErrnoException;
  parentPort?.postMessage({ ok: false, error: { message, code, path } });
}
