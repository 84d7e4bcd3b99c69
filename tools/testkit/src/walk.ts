/** What a run left on the real filesystem: entries and their permission bits. */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

export interface WalkedEntry {
  path: string;
  /** Permission bits, e.g. 0o600. */
  mode: number;
  isDirectory: boolean;
}

/** Every file and directory under `root` (not root itself), depth first; [] when it does not exist. */
export async function walk(root: string): Promise<WalkedEntry[]> {
  const out: WalkedEntry[] = [];
  let names: string[];
  try {
    names = await readdir(root);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return out;
    throw error;
  }
  for (const name of names.sort()) {
    const path = join(root, name);
    const info = await stat(path);
    out.push({ path, mode: info.mode & 0o777, isDirectory: info.isDirectory() });
    if (info.isDirectory()) out.push(...(await walk(path)));
  }
  return out;
}

/** Permission bits of `path` (following links), e.g. 0o600. */
export async function modeOf(path: string): Promise<number> {
  return (await stat(path)).mode & 0o777;
}
