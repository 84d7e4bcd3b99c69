import type { FileHandle } from 'node:fs/promises';
import { open } from 'node:fs/promises';

// filesystems that cannot fsync a directory still rename atomically; only durability is weaker there
const UNSUPPORTED = new Set(['EINVAL', 'ENOTSUP', 'EISDIR']);

/** Makes a rename, link or unlink inside `dir` durable: without it a crash can bring the old entry back. */
export async function fsyncDir(dir: string): Promise<void> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch (error) {
    if (!UNSUPPORTED.has((error as NodeJS.ErrnoException).code ?? '')) throw error;
  } finally {
    await handle?.close();
  }
}
