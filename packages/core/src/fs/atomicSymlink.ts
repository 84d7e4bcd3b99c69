import { rename, rm, symlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { fsyncDir } from './fsyncDir.js';
import { tempPathFor } from './tempPath.js';

/**
 * Points `linkPath` at `target` such that `linkPath` exists at every instant and resolves to
 * either the old target or the new one (deploy's `current`): a temp symlink renamed over it.
 * `target` is stored as given, so pass a relative target to keep the tree relocatable.
 * Refuses (EISDIR) to replace a real directory.
 */
export async function atomicSymlink(
  target: string,
  linkPath: string,
  options: { fsync?: boolean } = {},
): Promise<void> {
  const temp = tempPathFor(linkPath);
  await symlink(target, temp);
  try {
    await rename(temp, linkPath);
  } catch (error) {
    await rm(temp, { force: true }).catch(() => undefined);
    throw error;
  }
  if (options.fsync ?? true) await fsyncDir(dirname(linkPath));
}
