import { rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { fsyncDir } from './fsyncDir.js';
import { writeTempFile } from './writeTempFile.js';

export interface AtomicWriteOptions {
  /** Exact mode of the file, umask notwithstanding. Default 0o600: state and configs may hold run details. */
  mode?: number;
  /** fsync the file and its directory. Default true; turn off only for data that is cheap to lose. */
  fsync?: boolean;
  /** Sets the file's atime and mtime before it becomes visible (file-sync preserves mtimes). */
  mtime?: Date;
}

/**
 * Replaces `path` with `data` so that a reader, or a crash at any instant, sees either the old
 * content or the new one, never a mix: write a temp sibling, fsync, rename over, fsync the dir.
 * An existing symlink at `path` is replaced, not followed.
 */
export async function atomicWriteFile(
  path: string,
  data: string | Uint8Array,
  options: AtomicWriteOptions = {},
): Promise<void> {
  const durable = options.fsync ?? true;
  const temp = await writeTempFile(path, data, {
    mode: options.mode ?? 0o600,
    fsync: durable,
    mtime: options.mtime,
  });
  try {
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true }).catch(() => undefined);
    throw error;
  }
  if (durable) await fsyncDir(dirname(path));
}

/** `atomicWriteFile` of pretty-printed JSON with a trailing newline, so files diff and `cat` cleanly. */
export async function atomicWriteJson(
  path: string,
  value: unknown,
  options: AtomicWriteOptions = {},
): Promise<void> {
  await atomicWriteFile(path, `${JSON.stringify(value, null, 2)}\n`, options);
}
