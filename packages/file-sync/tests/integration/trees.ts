/** Real trees on the real filesystem: build them from a spec, snapshot them, compare them. */
import {
  chmod,
  lstat,
  mkdir,
  readdir,
  readFile,
  readlink,
  symlink,
  utimes,
  writeFile,
} from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { expect } from 'vitest';

export type NodeSpec =
  | string
  | { content: string | Buffer; mode?: number; mtime?: number }
  | { dir: true; mode?: number }
  | { link: string };

export type TreeSpec = Record<string, NodeSpec>;

/** A fixed past mtime (seconds), so tests never depend on the clock's granularity. */
export const PAST = 1_600_000_000;

/** Creates every entry of `spec` under `root` (parents as needed); files get the PAST mtime unless told. */
export async function makeTree(root: string, spec: TreeSpec): Promise<void> {
  await mkdir(root, { recursive: true });
  const dirModes: [string, number][] = [];
  for (const [path, node] of Object.entries(spec)) {
    const full = join(root, path);
    await mkdir(dirname(full), { recursive: true });
    if (typeof node === 'string' || 'content' in node) {
      const content = typeof node === 'string' ? node : node.content;
      await writeFile(full, content);
      if (typeof node !== 'string' && node.mode !== undefined) await chmod(full, node.mode);
      const mtime = typeof node !== 'string' && node.mtime !== undefined ? node.mtime : PAST;
      await utimes(full, mtime, mtime);
    } else if ('dir' in node) {
      await mkdir(full, { recursive: true });
      if (node.mode !== undefined) dirModes.push([full, node.mode]);
    } else {
      await symlink(node.link, full);
    }
  }
  for (const [full, mode] of dirModes) await chmod(full, mode);
}

export interface Snap {
  type: 'file' | 'dir' | 'symlink' | 'other';
  mode?: number;
  content?: string;
  mtimeMs?: number;
  target?: string;
}

/** Every entry under `root` (not root itself unless `withRoot`), by relative path, never following links. */
export async function snapshot(
  root: string,
  options: { withRoot?: boolean } = {},
): Promise<Record<string, Snap>> {
  const out: Record<string, Snap> = {};
  const visit = async (rel: string) => {
    const full = rel === '' ? root : join(root, rel);
    const stats = await lstat(full);
    let snap: Snap;
    if (stats.isSymbolicLink()) snap = { type: 'symlink', target: await readlink(full) };
    else if (stats.isDirectory()) snap = { type: 'dir', mode: stats.mode & 0o7777 };
    else if (stats.isFile()) {
      snap = {
        type: 'file',
        mode: stats.mode & 0o7777,
        content: (await readFile(full)).toString('base64'),
        mtimeMs: stats.mtimeMs,
      };
    } else snap = { type: 'other' };
    if (rel !== '' || options.withRoot) out[rel === '' ? '.' : rel] = snap;
    if (snap.type === 'dir') {
      for (const name of (await readdir(full)).sort()) await visit(rel === '' ? name : `${rel}/${name}`);
    }
  };
  await visit('');
  return out;
}

/** The same paths, types, content, modes, link targets, and file mtimes within 10 µs. */
export function expectSameTree(actual: Record<string, Snap>, expected: Record<string, Snap>): void {
  expect(Object.keys(actual).sort()).toEqual(Object.keys(expected).sort());
  const strip = (tree: Record<string, Snap>) =>
    Object.fromEntries(Object.entries(tree).map(([path, { mtimeMs: _ignored, ...rest }]) => [path, rest]));
  expect(strip(actual)).toEqual(strip(expected));
  for (const [path, snap] of Object.entries(expected)) {
    if (snap.mtimeMs === undefined) continue;
    const got = actual[path]?.mtimeMs ?? Number.NaN;
    expect(
      Math.abs(got - snap.mtimeMs),
      `mtime of ${JSON.stringify(path)}: ${got} vs ${snap.mtimeMs}`,
    ).toBeLessThan(0.01);
  }
}

/** Relative paths of file-sync temp files anywhere under `root`. */
export async function tempFiles(root: string): Promise<string[]> {
  const tree = await snapshot(root);
  return Object.keys(tree).filter((path) => /(^|\/)\.[^/]*\.fstmp-[0-9a-f]{16}-[0-9a-f]+$/s.test(path));
}
