/**
 * Byte-exact snapshots of a tree (names as raw bytes, lstat with bigint nanoseconds, content
 * hashes, link targets as bytes) and the differences between two of them, each naming the path
 * and the field.
 */
import { createHash } from 'node:crypto';
import { lstat, readdir, readFile, readlink } from 'node:fs/promises';
import { pathOf } from './build.js';
import { join, type Key } from './generate.js';

/**
 * How far apart two mtimes may be and still count as the same, in nanoseconds. Not 0 because
 * file-sync sets times through Node's fs.utimes, which takes a double of seconds: near 2020 that
 * carries about 240 ns, so exact nanoseconds cannot be set. Tighten to 0 once it sets them exactly.
 */
export const MTIME_TOLERANCE_NS = 1000n;

export interface Snap {
  type: 'file' | 'dir' | 'symlink' | 'other';
  /** mode & 0o7777; not compared for symlinks (always 0777 on Linux). */
  mode: number;
  mtimeNs: bigint;
  size: bigint;
  nlink: bigint;
  uid: number;
  gid: number;
  ino: bigint;
  hash?: string;
  target?: Buffer;
}

export type Snapshot = Map<Key, Snap>;

/** Every entry under `root`, root included (key ''), never following links. */
export async function snapshot(root: string): Promise<Snapshot> {
  const out: Snapshot = new Map();
  const visit = async (key: Key) => {
    const full = pathOf(root, key);
    const stats = await lstat(full, { bigint: true });
    const type = stats.isFile()
      ? 'file'
      : stats.isDirectory()
        ? 'dir'
        : stats.isSymbolicLink()
          ? 'symlink'
          : 'other';
    const snap: Snap = {
      type,
      mode: Number(stats.mode & 0o7777n),
      mtimeNs: stats.mtimeNs,
      size: stats.size,
      nlink: stats.nlink,
      uid: Number(stats.uid),
      gid: Number(stats.gid),
      ino: stats.ino,
    };
    if (type === 'file')
      snap.hash = createHash('sha256')
        .update(await readFile(full))
        .digest('hex');
    if (type === 'symlink') snap.target = await readlink(full, { encoding: 'buffer' });
    out.set(key, snap);
    if (type === 'dir') {
      const names = await readdir(full, { encoding: 'buffer' });
      for (const name of names.sort(Buffer.compare)) await visit(join(key, name.toString('latin1')));
    }
  };
  await visit('');
  return out;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** A path for a message: JSON-quoted when it is UTF-8, byte-escaped (\xff) otherwise; root is ".". */
export function showPath(key: Key): string {
  if (key === '') return '"."';
  const bytes = Buffer.from(key, 'latin1');
  try {
    return JSON.stringify(utf8.decode(bytes));
  } catch {
    const escaped = [...bytes]
      .map((byte) =>
        byte >= 0x20 && byte < 0x7f && byte !== 0x5c && byte !== 0x22
          ? String.fromCharCode(byte)
          : `\\x${byte.toString(16).padStart(2, '0')}`,
      )
      .join('');
    return `"${escaped}" (not UTF-8)`;
  }
}

const showTarget = (target: Buffer | undefined) => (target ? showPath(target.toString('latin1')) : 'none');
const showMode = (mode: number) => `0${mode.toString(8).padStart(4, '0')}`;
export const showTime = (ns: bigint): string => {
  const sign = ns < 0n ? '-' : '';
  const abs = ns < 0n ? -ns : ns;
  return `${sign}${abs / 1_000_000_000n}.${(abs % 1_000_000_000n).toString().padStart(9, '0')}s`;
};

export interface DiffOptions {
  /** Paths (and everything under them) left out of the comparison. */
  ignore?: ReadonlySet<Key>;
  mtimeToleranceNs?: bigint;
  /** Compare inode numbers too: for "did this path change at all", never across trees. */
  identity?: boolean;
  names?: { expected: string; actual: string };
}

/** Every difference, as `path: field expected X, got Y`; empty when the trees match. */
export function diffSnapshots(expected: Snapshot, actual: Snapshot, options: DiffOptions = {}): string[] {
  const tolerance = options.mtimeToleranceNs ?? MTIME_TOLERANCE_NS;
  const names = options.names ?? { expected: 'expected', actual: 'actual' };
  const ignored = (key: Key) =>
    [...(options.ignore ?? [])].some((skip) => key === skip || key.startsWith(`${skip}/`));
  const out: string[] = [];
  const keys = [...new Set([...expected.keys(), ...actual.keys()])].sort();
  for (const key of keys) {
    if (ignored(key)) continue;
    const want = expected.get(key);
    const got = actual.get(key);
    const path = showPath(key);
    if (!want || !got) {
      out.push(
        want
          ? `${path}: missing in ${names.actual} (${names.expected} has a ${want.type})`
          : `${path}: only in ${names.actual} (a ${got!.type}), not in ${names.expected}`,
      );
      continue;
    }
    const field = (name: string, a: string, b: string) => {
      if (a !== b) out.push(`${path}: ${name} ${names.expected} ${a}, ${names.actual} ${b}`);
    };
    field('type', want.type, got.type);
    if (want.type !== got.type) continue;
    if (want.type !== 'symlink') field('mode', showMode(want.mode), showMode(got.mode));
    const drift = want.mtimeNs - got.mtimeNs;
    if ((drift < 0n ? -drift : drift) > tolerance)
      field(`mtime (${want.type})`, showTime(want.mtimeNs), showTime(got.mtimeNs));
    if (want.type === 'file') {
      field('size', String(want.size), String(got.size));
      field('content sha256', want.hash ?? '', got.hash ?? '');
      field('nlink', String(want.nlink), String(got.nlink));
    }
    if (want.type === 'symlink') field('link target', showTarget(want.target), showTarget(got.target));
    field('uid', String(want.uid), String(got.uid));
    field('gid', String(want.gid), String(got.gid));
    if (options.identity) field('inode', String(want.ino), String(got.ino));
  }
  return out;
}

/**
 * Paths whose entry differs between two snapshots of the same tree: any field, the inode included
 * (a replaced entry changed even if it looks the same), mtimes within MTIME_TOLERANCE_NS excepted,
 * as in the comparison with rsync (a directory mtime restored to within a few ns did not change).
 */
export function changedPaths(before: Snapshot, after: Snapshot, ignore?: ReadonlySet<Key>): Map<Key, string> {
  const changed = new Map<Key, string>();
  const keys = new Set([...before.keys(), ...after.keys()]);
  const names = { expected: 'before', actual: 'after' };
  for (const key of keys) {
    const one = new Map<Key, Snap>();
    const two = new Map<Key, Snap>();
    const a = before.get(key);
    const b = after.get(key);
    if (a) one.set(key, a);
    if (b) two.set(key, b);
    const diffs = diffSnapshots(one, two, { identity: true, ignore, names });
    if (diffs.length > 0)
      changed.set(key, diffs.map((line) => line.slice(showPath(key).length + 2)).join(', '));
  }
  return changed;
}
