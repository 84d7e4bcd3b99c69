import { readdir, readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { isPidAlive } from '@tempered/core';

// atomicWriteFile's temp sibling: `.<name>.tmp-<pid>-<12 hex>`
const TEMP_FILE = /^\..+\.tmp-(\d+)-[0-9a-f]{12}$/;

/**
 * The files under `root` with their content, and the temp files of atomic writes whose process
 * is gone (killed mid-write): not content, and nothing else would ever remove them, since every
 * write uses a fresh random temp name. A live process's temp file is left alone.
 */
export async function listFiles(root: string): Promise<{ files: Map<string, string>; leftovers: string[] }> {
  const files = new Map<string, string>();
  const leftovers: string[] = [];
  let entries: string[];
  try {
    entries = await readdir(root, { recursive: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { files, leftovers };
    throw error;
  }
  for (const entry of entries.sort()) {
    const temp = TEMP_FILE.exec(basename(entry));
    if (temp) {
      if (!isPidAlive(Number(temp[1]))) leftovers.push(join(root, entry));
      continue;
    }
    const path = join(root, entry);
    try {
      files.set(path, await readFile(path, 'utf8'));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EISDIR') throw error;
    }
  }
  return { files, leftovers };
}
