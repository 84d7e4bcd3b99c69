import { lstat, readdir, readlink } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Every entry under `root` (not root itself) as `path type detail` lines, sorted, symlinks not
 * followed: `dir/`, `link -> target`, `file <size>B <mtimeMs>`. A before/after listing proves a
 * refused run changed nothing. [] when root is missing.
 */
export async function listTree(root: string, rel = ''): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(join(root, rel));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const out: string[] = [];
  for (const name of names.sort()) {
    const path = rel === '' ? name : `${rel}/${name}`;
    const info = await lstat(join(root, path));
    if (info.isSymbolicLink()) out.push(`${path} -> ${await readlink(join(root, path))}`);
    else if (info.isDirectory()) out.push(`${path}/`, ...(await listTree(root, path)));
    else out.push(`${path} ${info.size}B ${info.mtimeMs}`);
  }
  return out;
}
