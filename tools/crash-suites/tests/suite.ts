/**
 * The crash suites' shared parts: the three built CLIs and a tree snapshot for end-state
 * comparisons (paths, types, modes, file content and mtimes, symlink targets).
 */
import { createHash } from 'node:crypto';
import { lstat, readdir, readFile, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { defineCli } from '@tempered/testkit';

const root = new URL('../../../', import.meta.url);

export const FILE_SYNC = defineCli({
  name: 'file-sync',
  packageUrl: new URL('packages/file-sync/', root),
  built: ['dist/commands/sync.js', '../core/dist/index.js'],
  buildHint: 'npx pnpm@10.34.9 build',
});

export const DEPLOY = defineCli({
  name: 'deploy',
  packageUrl: new URL('packages/deploy/', root),
  built: ['dist/commands/release.js', '../core/dist/index.js'],
  buildHint: 'npx pnpm@10.34.9 build',
});

export const CLEANUP = defineCli({
  name: 'resource-cleanup',
  packageUrl: new URL('packages/resource-cleanup/', root),
  built: ['dist/commands/run.js', '../core/dist/index.js'],
  buildHint: 'npx pnpm@10.34.9 build',
});

export interface TreeEntry {
  type: 'file' | 'dir' | 'link';
  /** Permission bits (not for links). */
  mode?: number;
  /** Files: sha256 of the content. Links: the target. */
  content?: string;
  /** Files only. */
  mtimeMs?: number;
}

export interface SnapshotOptions {
  /** Leave out file mtimes and modes (e.g. a deploy release, whose files are fresh copies). */
  contentOnly?: boolean;
}

const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('hex');

/** Every entry under `dir` (not dir itself), keyed by relative path; symlinks are not followed. */
export async function snapshot(
  dir: string,
  options: SnapshotOptions = {},
  rel = '',
  out: Record<string, TreeEntry> = {},
): Promise<Record<string, TreeEntry>> {
  const names = (await readdir(join(dir, rel))).sort();
  for (const name of names) {
    const path = rel === '' ? name : `${rel}/${name}`;
    const full = join(dir, path);
    const info = await lstat(full);
    if (info.isSymbolicLink()) {
      out[path] = { type: 'link', content: await readlink(full) };
    } else if (info.isDirectory()) {
      out[path] = options.contentOnly ? { type: 'dir' } : { type: 'dir', mode: info.mode & 0o777 };
      await snapshot(dir, options, path, out);
    } else {
      const content = sha256(await readFile(full));
      out[path] = options.contentOnly
        ? { type: 'file', content }
        : { type: 'file', mode: info.mode & 0o777, content, mtimeMs: info.mtimeMs };
    }
  }
  return out;
}

/** The sha256 of a string's UTF-8 bytes, as `snapshot` reports file content. */
export const hashOf = (text: string | Buffer): string =>
  sha256(typeof text === 'string' ? Buffer.from(text) : text);
