import { open, rm } from 'node:fs/promises';
import { tempPathFor } from './tempPath.js';

export interface TempWriteOptions {
  mode: number;
  fsync: boolean;
  mtime?: Date | undefined;
}

/**
 * Writes `data` to a fresh temp sibling of `path` and returns its name; on any failure the temp
 * is gone before the error propagates.
 * @internal
 */
export async function writeTempFile(
  path: string,
  data: string | Uint8Array,
  options: TempWriteOptions,
): Promise<string> {
  const temp = tempPathFor(path);
  const handle = await open(temp, 'wx', options.mode);
  let open_ = true;
  try {
    await handle.writeFile(data);
    // open() applied the umask; the caller asked for this exact mode
    await handle.chmod(options.mode);
    if (options.mtime) await handle.utimes(options.mtime, options.mtime);
    if (options.fsync) await handle.sync();
    open_ = false;
    await handle.close();
    return temp;
  } catch (error) {
    if (open_) await handle.close().catch(() => undefined);
    await rm(temp, { force: true }).catch(() => undefined);
    throw error;
  }
}
