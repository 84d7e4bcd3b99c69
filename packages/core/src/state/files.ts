import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { InternalError } from '../errors/index.js';

const SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;
// our own hidden files: atomic-write temps and takeover claims
const LEFTOVER = /^\..+\.(tmp|takeover)-/;

/**
 * A file name for any key (a target path, a URL, a lock name). Names that are already safe are
 * kept, for operators reading the directory; others become `<slug>~<hash>`. `~` never occurs in
 * a kept name, so the two kinds cannot collide.
 * @internal
 */
export function fileNameFor(key: string, what = 'state key'): string {
  if (typeof key !== 'string' || key.length === 0)
    throw new InternalError(`${what} must be a non-empty string`);
  if (SAFE_NAME.test(key)) return key;
  const slug = key
    .replace(/[^A-Za-z0-9._-]+/g, '_')
    .replace(/^[._-]+/, '')
    .slice(0, 60);
  return `${slug}~${sha256(key).slice(0, 16)}`;
}

/** @internal */
export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Directories of state are private to the user running the jobs. @internal */
export async function ensureDir(path: string): Promise<void> {
  await mkdir(path, { recursive: true, mode: 0o700 });
}

/** @internal */
export async function readTextIfExists(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** @internal */
export async function listNames(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

/** Removes temp and claim files that a killed process left behind. Returns how many. @internal */
export async function sweepLeftovers(dir: string, olderThanMs: number, now: number): Promise<number> {
  let removed = 0;
  for (const name of await listNames(dir)) {
    if (!LEFTOVER.test(name)) continue;
    const path = join(dir, name);
    const stats = await stat(path).catch(() => undefined);
    if (stats && now - stats.mtimeMs > olderThanMs) {
      await rm(path, { force: true });
      removed += 1;
    }
  }
  return removed;
}
