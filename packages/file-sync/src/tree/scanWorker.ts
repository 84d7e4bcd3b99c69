import { parentPort, workerData } from 'node:worker_threads';
import { type ScanOptions, scanTree } from './scanTree.js';

/** Runs one scanTree in a worker thread, so both trees are listed at once on two cores. */
const { root, options } = workerData as { root: string; options: ScanOptions };

// a promise chain, not top-level await: the worker is also bundled as CommonJS
scanTree(root, options).then(
  ({ entries, ...rest }) => {
    const columns = entries.toColumns();
    parentPort?.postMessage({ ok: true, result: { ...rest, columns } }, [
      columns.types.buffer,
      columns.sizes.buffer,
      columns.mtimes.buffer,
      columns.modes.buffer,
    ]);
  },
  (error: NodeJS.ErrnoException) => {
    const { message, code, path } = error;
    parentPort?.postMessage({ ok: false, error: { message, code, path } });
  },
);
