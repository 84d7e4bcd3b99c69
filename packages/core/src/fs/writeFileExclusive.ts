import { link, open, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { fsyncDir } from './fsyncDir.js';
import { writeTempFile } from './writeTempFile.js';

export interface ExclusiveWriteOptions {
  /** Default 0o600. */
  mode?: number;
  /** Default true. */
  fsync?: boolean;
}

// filesystems without hard links; there we fall back to O_EXCL and accept a brief empty file
const NO_LINKS = new Set(['EPERM', 'ENOTSUP', 'ENOSYS', 'EOPNOTSUPP']);

/**
 * Creates `path` holding `data` only if nothing is there yet; returns false if something is.
 * The content is written to a temp sibling and hard-linked into place, so the create is as
 * exclusive as O_EXCL but no reader ever sees an empty or half-written file (a plain `wx` open
 * followed by a write does expose one). This is the primitive behind locks and claims.
 */
export async function writeFileExclusive(
  path: string,
  data: string | Uint8Array,
  options: ExclusiveWriteOptions = {},
): Promise<boolean> {
  const mode = options.mode ?? 0o600;
  const durable = options.fsync ?? true;
  const temp = await writeTempFile(path, data, { mode, fsync: durable });
  try {
    await link(temp, path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? '';
    if (code === 'EEXIST') return false;
    if (!NO_LINKS.has(code)) throw error;
    return await createWithExcl(path, data, mode, durable);
  } finally {
    await rm(temp, { force: true }).catch(() => undefined);
  }
  if (durable) await fsyncDir(dirname(path));
  return true;
}

async function createWithExcl(path: string, data: string | Uint8Array, mode: number, durable: boolean) {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(path, 'wx', mode);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
  try {
    await handle.writeFile(data);
    if (durable) await handle.sync();
  } finally {
    await handle.close();
  }
  if (durable) await fsyncDir(dirname(path));
  return true;
}
