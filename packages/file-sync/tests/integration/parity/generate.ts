/**
 * Seeded tree specs and source mutations for the parity suite: the same seed gives the same trees,
 * the same destination pre-population and the same mutations, so a failing case is reproducible
 * from its title alone.
 */

/** A relative path as raw bytes, held as a latin1 string (one char per byte); '' is the root. */
export type Key = string;

export type Entry =
  | { type: 'file'; content: Buffer; mode: number; mtimeNs: bigint; linkGroup?: number }
  | { type: 'dir'; mode: number; mtimeNs: bigint }
  | { type: 'symlink'; target: Buffer; mtimeNs: bigint };

/** Parents before children (insertion order); the model of what is on disk. */
export type Tree = Map<Key, Entry>;

export type Step = { remove: Key } | { put: Key; entry: Entry };

export const keyOf = (...names: (string | Buffer)[]): Key =>
  names.map((name) => (typeof name === 'string' ? Buffer.from(name) : name).toString('latin1')).join('/');
export const bytesOf = (key: Key): Buffer => Buffer.from(key, 'latin1');
export const parentOf = (key: Key): Key => (key.includes('/') ? key.slice(0, key.lastIndexOf('/')) : '');
export const depthOf = (key: Key): number => (key === '' ? 0 : key.split('/').length);
export const join = (parent: Key, name: Key): Key => (parent === '' ? name : `${parent}/${name}`);

/** mulberry32: tiny, fast and good enough to spread choices; the seed alone fixes every one. */
export class Rng {
  #state: number;
  constructor(seed: number) {
    this.#state = seed >>> 0;
  }
  next(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let t = this.#state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('pick from nothing');
    return items[this.int(items.length)]!;
  }
}

const NS = 1_000_000_000n;
export const at = (seconds: number, nanos = 0): bigint => BigInt(seconds) * NS + BigInt(nanos);

/** 2100-01-01T00:00:00Z: after 2038, so a 32-bit time_t anywhere on the way would show. */
export const YEAR_2100 = 4_102_444_800;
export const PRE_1970 = -86_400 * 365;

export function randomMtime(rng: Rng): bigint {
  const base = 1_600_000_000 + rng.int(50_000_000);
  switch (rng.int(8)) {
    case 0:
      return at(base);
    case 1:
      return at(base, rng.int(1_000_000) * 1000);
    case 2:
      return at(PRE_1970 - rng.int(1_000_000), rng.chance(0.5) ? 0 : 1 + rng.int(999_999_999));
    case 3:
      return at(YEAR_2100 + rng.int(1_000_000), rng.chance(0.5) ? 0 : 1 + rng.int(999_999_999));
    case 4:
      return at(rng.chance(0.5) ? 0 : -1, rng.int(1_000_000_000));
    default:
      return at(base, 1 + rng.int(999_999_999));
  }
}

/**
 * Names that broke, or could break, a sync tool: quoting, option parsing, 255-byte limits (85 x
 * '€' is exactly 255 bytes of UTF-8), bytes that are not UTF-8, and user files that look like
 * file-sync's own temp files (which it must copy like any other file, not skip or delete).
 */
export const ODD_NAMES: readonly (string | Buffer)[] = [
  'with space',
  ' leading space',
  'trailing space ',
  'line\nbreak',
  '-leading-dash',
  '--',
  '-rf',
  'quote\'and"dq',
  'back\\slash',
  'tab\there',
  '*glob?[x]',
  '.hidden',
  'ünïcødé-ファイル',
  '€'.repeat(85),
  'a'.repeat(255),
  `${'é'.repeat(126)}x${'b'.repeat(2)}`,
  Buffer.from([0x66, 0xff, 0xfe, 0x2e, 0x74]),
  Buffer.from([0xc3, 0x28, 0x61]),
  Buffer.from([0x80]),
  Buffer.concat([Buffer.from('latin1-'), Buffer.from([0xe9, 0xe8])]),
  '.foo.file-sync-tmp-1234-0123456789ab',
  '.x.tmp-99-aaaaaaaaaaaa',
  '.bar.file-sync-tmp-1-000000000001',
  `.${'€'.repeat(66)}.file-sync-tmp-7-abcdefabcdef`,
];

export const FILE_MODES = [0o644, 0o644, 0o644, 0o600, 0o755, 0o444, 0o640, 0o400, 0o4755, 0o2755, 0o6755];
export const DIR_MODES = [0o755, 0o755, 0o755, 0o700, 0o555, 0o1777, 0o2755, 0o750, 0o3755, 0o711];

function randomName(rng: Rng): Key {
  if (rng.chance(0.3)) return keyOf(rng.pick(ODD_NAMES));
  const letters = 'abcdefghijklmnopqrstuvwxyz0123456789_.';
  let name = rng.pick(['f', 'd', 'x', 'n', 'data', 'log']);
  for (let i = rng.int(6); i > 0; i--) name += letters[rng.int(letters.length)];
  return keyOf(name);
}

function randomContent(rng: Rng, size = rng.chance(0.15) ? 0 : 1 + rng.int(rng.chance(0.1) ? 70_000 : 300)) {
  const bytes = Buffer.alloc(size);
  for (let i = 0; i < size; i++) bytes[i] = rng.int(256);
  return bytes;
}

export function randomFile(rng: Rng, mode = rng.pick(FILE_MODES)): Entry & { type: 'file' } {
  return { type: 'file', content: randomContent(rng), mode, mtimeNs: randomMtime(rng) };
}

export function randomDir(rng: Rng): Entry & { type: 'dir' } {
  return { type: 'dir', mode: rng.pick(DIR_MODES), mtimeNs: randomMtime(rng) };
}

/** A target relative to the link's directory, absolute, dangling, to a directory, or not UTF-8. */
function randomTarget(rng: Rng, tree: Tree, linkKey: Key): Buffer {
  const up = '../'.repeat(depthOf(parentOf(linkKey)));
  const others = [...tree.keys()].filter((key) => key !== '' && key !== linkKey);
  switch (rng.int(8)) {
    case 0:
      return Buffer.from('/etc/hostname');
    case 1:
      return Buffer.from('/nonexistent/absolute');
    case 2:
      return Buffer.from('does/not/exist');
    case 3:
      return Buffer.concat([Buffer.from('bad-'), Buffer.from([0xff, 0xfe])]);
    case 4:
      return Buffer.from('.');
    default: {
      if (others.length === 0) return Buffer.from('dangling');
      const dirs = others.filter((key) => tree.get(key)?.type === 'dir');
      const to = rng.chance(0.5) && dirs.length > 0 ? rng.pick(dirs) : rng.pick(others);
      return Buffer.concat([Buffer.from(up), bytesOf(to)]);
    }
  }
}

export function randomSymlink(rng: Rng, tree: Tree, key: Key): Entry {
  return { type: 'symlink', target: randomTarget(rng, tree, key), mtimeNs: randomMtime(rng) };
}

const dirsOf = (tree: Tree): Key[] =>
  [...tree].filter(([, entry]) => entry.type === 'dir').map(([key]) => key);

/** A fresh name in `parent`, short enough that every path stays well under PATH_MAX. */
function freshKey(rng: Rng, tree: Tree, parent: Key): Key | undefined {
  for (let attempt = 0; attempt < 8; attempt++) {
    const key = join(parent, randomName(rng));
    if (!tree.has(key) && key.length < 1500) return key;
  }
  return undefined;
}

/** Applies steps to the model: a removal or a replacement by a non-directory drops the subtree. */
export function applyToModel(tree: Tree, steps: readonly Step[]): void {
  const dropSubtree = (key: Key) => {
    for (const other of [...tree.keys()]) if (other.startsWith(`${key}/`)) tree.delete(other);
  };
  for (const step of steps) {
    if ('remove' in step) {
      tree.delete(step.remove);
      dropSubtree(step.remove);
    } else {
      if (step.entry.type !== 'dir') dropSubtree(step.put);
      tree.set(step.put, step.entry);
    }
  }
}

/** Steps that create a random tree of about `size` entries under the root. */
export function generateTree(rng: Rng, size: number, rootMode = rng.pick(DIR_MODES)): Step[] {
  const tree: Tree = new Map();
  const steps: Step[] = [];
  const add = (step: Step) => {
    steps.push(step);
    applyToModel(tree, [step]);
  };
  add({ put: '', entry: { type: 'dir', mode: rootMode, mtimeNs: randomMtime(rng) } });
  let group = 0;
  while (tree.size < size) {
    const key = freshKey(rng, tree, rng.pick(dirsOf(tree)));
    if (key === undefined) continue;
    const roll = rng.int(100);
    if (roll < 45) add({ put: key, entry: randomFile(rng) });
    else if (roll < 52)
      add({
        put: key,
        entry: { ...randomFile(rng), content: Buffer.alloc(0) },
      });
    else if (roll < 75) add({ put: key, entry: randomDir(rng) });
    else if (roll < 90) add({ put: key, entry: randomSymlink(rng, tree, key) });
    else {
      // a hard link: both names share one inode; rsync -a (no -H) and file-sync copy them apart
      const files = [...tree].filter(([, entry]) => entry.type === 'file');
      if (files.length === 0) continue;
      const [, entry] = rng.pick(files) as [Key, Entry & { type: 'file' }];
      entry.linkGroup ??= ++group;
      add({ put: key, entry });
    }
  }
  return steps;
}

/**
 * Steps that pre-populate a destination from the source model: some entries identical, some stale
 * (content, size, mtime, mode), some of another type (a file where the source has a directory, a
 * directory with contents where it has a file or link, a symlink to a directory where it has a
 * directory), and extras the source lacks. `sameTypeOnly`: no extras and no type changes, for a
 * round where a source file is unreadable (see the parity test: nothing may need deleting then).
 * `nonRoot`: the trees are synced unprivileged.
 */
export function generateDestination(rng: Rng, source: Tree, sameTypeOnly: boolean, nonRoot: boolean): Step[] {
  const tree: Tree = new Map();
  const steps: Step[] = [];
  const add = (step: Step) => {
    steps.push(step);
    applyToModel(tree, [step]);
  };
  add({ put: '', entry: randomDir(rng) });
  if (rng.chance(0.15)) return steps;
  const keep = rng.next();
  for (const [key, entry] of source) {
    if (key === '' || tree.get(parentOf(key))?.type !== 'dir' || !rng.chance(keep)) continue;
    const roll = rng.int(100);
    if (roll < 35) add({ put: key, entry: { ...entry } });
    else if (roll < 70 || sameTypeOnly) add({ put: key, entry: stale(rng, entry) });
    else if (entry.type === 'dir') {
      if (rng.chance(0.5)) add({ put: key, entry: randomFile(rng) });
      else {
        // a link to another directory of the destination: writing through it would show there
        const dirs = dirsOf(tree).filter((other) => other !== '');
        const up = '../'.repeat(depthOf(parentOf(key)));
        const target =
          dirs.length > 0 ? Buffer.concat([Buffer.from(up), bytesOf(rng.pick(dirs))]) : Buffer.from('.');
        add({ put: key, entry: { type: 'symlink', target, mtimeNs: randomMtime(rng) } });
      }
    } else {
      // unprivileged, rsync cannot empty a read-only directory that must make way for a file or
      // link ("could not make way"): no oracle there, so such a directory stays writable
      const conflict = randomDir(rng);
      if (nonRoot && (conflict.mode & 0o200) === 0) conflict.mode = 0o755;
      else if (!nonRoot && rng.chance(0.3)) conflict.mode = 0o555;
      add({ put: key, entry: conflict });
      for (let i = 1 + rng.int(3); i > 0; i--) {
        const child = freshKey(rng, tree, key);
        if (child !== undefined) add({ put: child, entry: randomFile(rng) });
      }
    }
  }
  if (sameTypeOnly) return steps;
  for (let i = rng.int(6); i > 0; i--) {
    const key = freshKey(rng, tree, rng.pick(dirsOf(tree)));
    if (key === undefined) continue;
    const roll = rng.int(10);
    if (roll < 5) add({ put: key, entry: randomFile(rng) });
    else if (roll < 8) {
      add({ put: key, entry: randomDir(rng) });
      const child = freshKey(rng, tree, key);
      if (child !== undefined) add({ put: child, entry: randomFile(rng) });
    } else add({ put: key, entry: randomSymlink(rng, tree, key) });
  }
  return steps;
}

/** The same type at the same path, differing in something rsync and file-sync must notice. */
function stale(rng: Rng, entry: Entry): Entry {
  if (entry.type === 'symlink') {
    // the same target with another mtime: rsync -a sets a link's time too
    return rng.chance(0.5)
      ? { ...entry, mtimeNs: randomMtime(rng) }
      : { ...entry, target: Buffer.concat([entry.target, Buffer.from('-old')]) };
  }
  if (entry.type === 'dir')
    return rng.chance(0.5)
      ? { ...entry, mtimeNs: randomMtime(rng) }
      : { ...entry, mode: rng.pick(DIR_MODES) };
  const { linkGroup: _separate, ...file } = entry;
  switch (rng.int(4)) {
    case 0:
      return { ...file, content: randomContent(rng), mtimeNs: randomMtime(rng) };
    case 1: {
      // same size and mtime, other content: both tools trust the quick check and leave it
      if (file.content.length === 0) return { ...file, mode: rng.pick(FILE_MODES) };
      const content = Buffer.from(file.content);
      content[0] = (content[0]! + 1) % 256;
      return { ...file, content };
    }
    case 2:
      return { ...file, mtimeNs: file.mtimeNs + BigInt(1 + rng.int(5)) * NS };
    default:
      return { ...file, mode: rng.pick(FILE_MODES) };
  }
}

/**
 * Between rounds: adds, removes, content/size/mtime/mode changes, type changes (file, directory,
 * symlink into each other) and retargeted links, applied to the model as they are returned.
 */
export function mutate(rng: Rng, tree: Tree, nonRoot: boolean, count = 2 + rng.int(5)): Step[] {
  const steps: Step[] = [];
  const apply = (step: Step) => {
    steps.push(step);
    applyToModel(tree, [step]);
  };
  // a directory's mtime follows its entries in real life; sometimes keep the old one to check
  // that both tools restore it after writing inside
  const touchParent = (key: Key) => {
    const parent = tree.get(parentOf(key));
    if (parent?.type === 'dir' && rng.chance(0.5))
      apply({ put: parentOf(key), entry: { ...parent, mtimeNs: randomMtime(rng) } });
  };
  for (let n = 0; n < count; n++) {
    const keys = [...tree.keys()].filter((key) => key !== '');
    const roll = rng.int(100);
    if (roll < 22 || keys.length === 0) {
      const key = freshKey(rng, tree, rng.pick(dirsOf(tree)));
      if (key === undefined) continue;
      const kind = rng.int(3);
      if (kind === 0) apply({ put: key, entry: randomFile(rng) });
      else if (kind === 1) {
        apply({ put: key, entry: randomDir(rng) });
        const child = freshKey(rng, tree, key);
        if (child !== undefined) apply({ put: child, entry: randomFile(rng) });
      } else apply({ put: key, entry: randomSymlink(rng, tree, key) });
      touchParent(key);
      continue;
    }
    const key = rng.pick(keys);
    const entry = tree.get(key)!;
    if (roll < 36) {
      apply({ remove: key });
      touchParent(key);
    } else if (roll < 70 && entry.type === 'file') {
      const { linkGroup: _broken, ...file } = entry;
      switch (rng.int(5)) {
        case 0:
          apply({ put: key, entry: { ...file, content: randomContent(rng), mtimeNs: randomMtime(rng) } });
          break;
        case 1: {
          const content = randomContent(rng, file.content.length);
          apply({
            put: key,
            entry: { ...file, content, mtimeNs: file.mtimeNs + NS + BigInt(rng.int(1000)) },
          });
          break;
        }
        case 2:
          apply({ put: key, entry: { ...file, mtimeNs: randomMtime(rng) } });
          break;
        case 3:
          // below file-sync's 10 µs "same mtime" window but above this suite's 1 µs one
          apply({ put: key, entry: { ...file, mtimeNs: file.mtimeNs + BigInt(1000 + rng.int(8000)) } });
          break;
        default:
          apply({ put: key, entry: { ...file, mode: rng.pick(FILE_MODES) } });
      }
    } else if (roll < 78 && entry.type === 'dir') {
      apply({
        put: key,
        entry: {
          ...entry,
          ...(rng.chance(0.5) ? { mode: rng.pick(DIR_MODES) } : { mtimeNs: randomMtime(rng) }),
        },
      });
    } else if (roll < 84 && entry.type === 'symlink') {
      apply({
        put: key,
        entry: rng.chance(0.5) ? { ...entry, mtimeNs: randomMtime(rng) } : randomSymlink(rng, tree, key),
      });
    } else if (
      nonRoot &&
      [...tree].some(
        ([other, e]) =>
          (other === key || other.startsWith(`${key}/`)) && e.type === 'dir' && (e.mode & 0o200) === 0,
      )
    ) {
      // unprivileged, rsync cannot clear a read-only directory out of the way of a file or link
      // ("could not make way"), so there is no oracle: remove it instead
      apply({ remove: key });
    } else {
      // a type change: whatever it was becomes one of the other two
      const to = rng.pick((['file', 'dir', 'symlink'] as const).filter((type) => type !== entry.type));
      if (to === 'file') apply({ put: key, entry: randomFile(rng) });
      else if (to === 'symlink') apply({ put: key, entry: randomSymlink(rng, tree, key) });
      else {
        apply({ put: key, entry: randomDir(rng) });
        const child = freshKey(rng, tree, key);
        if (child !== undefined) apply({ put: child, entry: randomFile(rng) });
      }
      touchParent(key);
    }
  }
  return steps;
}
