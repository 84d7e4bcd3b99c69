/**
 * The parity cases: one hand-written case per defect class, then generated ones over fixed seeds.
 * A case is steps only (source, destination pre-population, source mutations per later round), so
 * its title (the class, or the seed) is all it takes to reproduce it.
 */
import {
  applyToModel,
  at,
  type Entry,
  FILE_MODES,
  generateDestination,
  generateTree,
  type Key,
  keyOf,
  mutate,
  PRE_1970,
  Rng,
  type Step,
  type Tree,
  YEAR_2100,
} from './generate.js';

export interface Case {
  title: string;
  /** Everything (trees, rsync, file-sync) runs as an unprivileged user. */
  nonRoot: boolean;
  source: Step[];
  /** Built the same on both destinations before the first round. */
  destination: Step[];
  /** Source mutations before the second, third... round. */
  mutations: Step[][];
}

const T = at(1_600_000_000);
const file = (content: string | Buffer, mode = 0o644, mtimeNs = T): Entry => ({
  type: 'file',
  content: Buffer.from(content),
  mode,
  mtimeNs,
});
const dir = (mode = 0o755, mtimeNs = T): Entry => ({ type: 'dir', mode, mtimeNs });
const link = (target: string | Buffer, mtimeNs = T): Entry => ({
  type: 'symlink',
  target: Buffer.from(target),
  mtimeNs,
});
const put = (path: string | Buffer | (string | Buffer)[], entry: Entry): Step => ({
  put: Array.isArray(path) ? keyOf(...path) : keyOf(path),
  entry,
});
const remove = (...path: (string | Buffer)[]): Step => ({ remove: keyOf(...path) });
const root = (mode = 0o755, mtimeNs = T): Step => ({ put: '', entry: dir(mode, mtimeNs) });

const EURO_255 = '€'.repeat(85);
const NOT_UTF8 = Buffer.from([0x66, 0xff, 0xfe, 0x2e, 0x74]);

export const HAND_WRITTEN: Case[] = [
  {
    title: 'user files named like file-sync temp files are copied and kept, not skipped or deleted',
    nonRoot: false,
    source: [
      root(),
      put('.foo.file-sync-tmp-1234-0123456789ab', file('looks like a temp file\n')),
      put('.x.tmp-99-aaaaaaaaaaaa', file('core atomic-write look-alike\n', 0o600)),
      put('sub', dir(0o755, at(1_500_000_000))),
      put(['sub', '.bar.file-sync-tmp-1-000000000001'], file('pid 1 never dies\n')),
      put(['sub', `.${'€'.repeat(66)}.file-sync-tmp-7-abcdefabcdef`], file('long\n')),
      put(['sub', 'normal.txt'], file('normal\n')),
    ],
    destination: [
      root(0o700, at(1_400_000_000)),
      put('.old.file-sync-tmp-2-0123456789ab', file('extra look-alike: deleted like any extra\n')),
      put('.x.tmp-99-aaaaaaaaaaaa', file('stale\n', 0o600, at(1_300_000_000))),
    ],
    mutations: [
      [
        put('.foo.file-sync-tmp-1234-0123456789ab', file('changed, longer content\n')),
        put(['sub', '.new.tmp-5-bbbbbbbbbbbb'], file('new look-alike\n')),
        put('sub', dir(0o755, at(1_500_000_100))),
      ],
      [remove('sub', '.bar.file-sync-tmp-1-000000000001'), put('.x.tmp-99-aaaaaaaaaaaa', dir(0o755))],
    ],
  },
  {
    title: 'one unreadable file (non-root): exit 3, every other entry and directory attribute synced',
    nonRoot: true,
    source: [
      root(0o755, at(1_500_000_000)),
      put('a', dir(0o750, at(1_500_000_001, 123_456_789))),
      put(['a', 'secret'], file('unreadable\n', 0o000)),
      put(['a', 'ok.txt'], file('readable\n')),
      put('b', dir(0o555, at(PRE_1970))),
      put(['b', 'f1'], file('one\n', 0o444)),
      put(['b', 'f2'], file('two\n', 0o640)),
      put('c', dir()),
      put(['c', 'd'], dir(0o700, at(YEAR_2100))),
      put(['c', 'd', 'e'], dir(0o555, at(1_234_567_890, 5))),
      put('z-last.txt', file('sorted after everything\n', 0o600, at(1_700_000_000, 999_999_999))),
      put('z-link', link('a/ok.txt', at(1_500_000_002))),
    ],
    destination: [root(), put('a', dir(0o700, at(1_000_000_000))), put('z-last.txt', file('stale\n'))],
    mutations: [
      [put(['a', 'secret'], file('readable now\n', 0o644)), remove('z-last.txt')],
      [put(['b', 'f2'], file('unreadable now\n', 0o000)), put(['a', 'ok.txt'], file('changed\n'))],
    ],
  },
  {
    title: '255-byte names (ASCII and 85 x €) on files, directories and symlinks',
    nonRoot: false,
    source: [
      root(),
      put(EURO_255, dir()),
      put([EURO_255, 'a'.repeat(255)], file('a\n')),
      put([EURO_255, 'b'.repeat(255)], link('c'.repeat(255))),
      put(`${'é'.repeat(127)}x`, dir(0o700)),
      put([`${'é'.repeat(127)}x`, EURO_255], file('euro\n', 0o600)),
      put('z'.repeat(255), file('z\n')),
    ],
    destination: [root(), put('y'.repeat(255), file('extra\n')), put(EURO_255, file('type change\n'))],
    mutations: [
      [put('z'.repeat(255), file('z, longer now\n')), put([EURO_255, 'x'.repeat(255)], file('new\n'))],
      [remove(EURO_255), put(EURO_255, link(EURO_255))],
    ],
  },
  {
    title: 'names and link targets that are not UTF-8',
    nonRoot: false,
    source: [
      root(),
      put(NOT_UTF8, file('bytes\n')),
      put(Buffer.from([0xc3, 0x28]), dir()),
      put([Buffer.from([0xc3, 0x28]), Buffer.from([0x80])], file('inner\n')),
      put(Buffer.from('caf\xe9', 'latin1'), link(NOT_UTF8)),
      put('to-bad', link(Buffer.from([0x2e, 0x2f, 0xff]))),
      put('plain.txt', file('plain\n')),
    ],
    destination: [root(), put(Buffer.from([0xfe, 0xff]), file('extra, deleted\n'))],
    mutations: [
      [
        put(NOT_UTF8, file('bytes, changed\n')),
        remove(Buffer.from([0xc3, 0x28]), Buffer.from([0x80])),
        put(Buffer.from([0xe9, 0x2d, 0x6e, 0x65, 0x77]), file('new\n')),
      ],
      [put(Buffer.from([0xc3, 0x28]), file('was a directory\n'))],
    ],
  },
  {
    title: 'mtimes: pre-1970, 1969/1970 boundary, year 2100, nanoseconds, on files, directories and symlinks',
    nonRoot: false,
    source: [
      root(0o755, at(1_600_000_000, 111_111_111)),
      put('old', file('old\n', 0o644, at(PRE_1970))),
      put('old-ns', file('old ns\n', 0o644, at(PRE_1970, 987_654_321))),
      put('minus-half', file('-0.5\n', 0o644, at(-1, 500_000_000))),
      put('epoch', file('0\n', 0o644, at(0))),
      put('future', file('2100\n', 0o644, at(YEAR_2100, 1))),
      put('ns', file('ns\n', 0o644, at(1_600_000_000, 123_456_789))),
      put('d-old', dir(0o755, at(PRE_1970, 42))),
      put(['d-old', 'inside'], file('x\n')),
      put('d-future', dir(0o755, at(YEAR_2100 + 12_345, 678_901_234))),
      put('l-old', link('old', at(PRE_1970, 7))),
      put('l-future', link('future', at(YEAR_2100))),
      put('l-ns', link('/etc/hostname', at(1_600_000_000, 999_999_999))),
    ],
    destination: [
      root(),
      put('old', file('old\n', 0o644, at(PRE_1970 + 1))),
      put('l-old', link('old', at(1_000_000_000))),
    ],
    mutations: [
      [
        put('ns', file('ns\n', 0o644, at(1_600_000_000, 123_461_789))),
        put('l-ns', link('/etc/hostname', at(1_600_000_001, 1))),
        put('d-old', dir(0o755, at(PRE_1970 - 86_400, 999))),
        put('future', file('2100\n', 0o644, at(YEAR_2100 + 1, 1))),
      ],
      [put(['d-future', 'new'], file('new\n', 0o644, at(-1, 1))), put('epoch', file('0\n', 0o644, at(1)))],
    ],
  },
  {
    title: 'read-only source directories (non-root): 0555 with files, nested, and a 0555 root',
    nonRoot: true,
    source: [
      root(0o555, at(1_500_000_000)),
      put('ro', dir(0o555, at(1_500_000_001))),
      put(['ro', 'a'], file('a\n', 0o444)),
      put(['ro', 'b'], file('b\n')),
      put(['ro', 'inner'], dir(0o555, at(1_500_000_002))),
      put(['ro', 'inner', 'c'], file('c\n')),
      put(['ro', 'inner', 'deeper'], dir(0o555, at(1_500_000_003))),
      put('rw', dir()),
      put(['rw', 'x'], file('x\n')),
    ],
    destination: [
      root(),
      put('ro', dir(0o555)),
      put(['ro', 'extra'], file('extra in a read-only destination directory\n')),
    ],
    mutations: [
      [
        put(['ro', 'inner', 'new'], file('new in a read-only directory\n')),
        remove('ro', 'b'),
        put(['ro', 'a'], file('a changed\n', 0o444)),
        put('new-at-root', file('the root is read-only\n')),
      ],
      [
        put('ro', dir(0o755, at(1_500_000_004))),
        put(['ro', 'inner', 'c'], file('c changed\n', 0o400)),
        remove('rw'),
      ],
    ],
  },
  {
    title: 'symlink vs directory: links where directories go and the reverse, never written through',
    nonRoot: false,
    source: [
      root(),
      put('a', dir()),
      put(['a', 'in-a'], file('a\n')),
      put('b', link('a')),
      put('c', dir()),
      put(['c', 'x'], file('x\n')),
      put('d', file('d\n')),
      put('e', dir()),
      put(['e', 'keep'], file('keep\n')),
    ],
    destination: [
      root(),
      put('e', dir()),
      put(['e', 'keep'], file('keep\n')),
      put(['e', 'only-in-dest'], file('deleted\n')),
      put('a', link('e')),
      put('b', dir()),
      put(['b', 'y'], file('y\n')),
      put(['b', 'z'], dir()),
      put(['b', 'z', 'w'], file('w\n')),
      put('c', link('/nonexistent')),
      put('d', dir()),
      put(['d', 'q'], file('q\n')),
    ],
    mutations: [
      [
        remove('a'),
        put('a', link('c')),
        remove('b'),
        put('b', dir()),
        put(['b', 'f'], file('f\n')),
        put('d', link('e')),
      ],
      [put('a', file('a is a file\n')), remove('c'), put('c', link('a')), put('e', link('b'))],
    ],
  },
  {
    title: 'setuid, setgid and sticky bits on files and directories (root)',
    nonRoot: false,
    source: [
      root(0o2755),
      put('suid', file('#!/bin/sh\n', 0o4755)),
      put('sgid', file('#!/bin/sh\n', 0o2755)),
      put('both', file('#!/bin/sh\n', 0o6755)),
      put('sticky-file', file('sticky\n', 0o1644)),
      put('sgid-dir', dir(0o2755)),
      put(['sgid-dir', 'sub'], dir(0o755)),
      put(['sgid-dir', 'sub', 'f'], file('f\n')),
      put('tmp', dir(0o1777)),
      put('both-dir', dir(0o3775)),
    ],
    destination: [root(), put('suid', file('#!/bin/sh\n', 0o755)), put('tmp', dir(0o755))],
    mutations: [
      [
        put('suid', file('#!/bin/sh\necho changed\n', 0o4755)),
        put('sgid', file('#!/bin/sh\n', 0o755)),
        put(['sgid-dir', 'new-dir'], dir(0o750)),
        put('tmp', dir(0o777)),
      ],
      [put('sgid', file('#!/bin/sh\n', 0o2711)), put(['tmp', 'inside'], file('i\n', 0o4700))],
    ],
  },
  {
    title: 'setuid and setgid bits as the unprivileged owner (non-root)',
    nonRoot: true,
    source: [
      root(),
      put('suid', file('#!/bin/sh\n', 0o4755)),
      put('sgid', file('#!/bin/sh\n', 0o2755)),
      put('sgid-dir', dir(0o2755)),
      put(['sgid-dir', 'f'], file('f\n', 0o4700)),
      put('tmp', dir(0o1777)),
    ],
    destination: [root(), put('suid', file('#!/bin/sh\n', 0o755))],
    mutations: [[put('suid', file('#!/bin/sh\necho changed\n', 0o4755)), put('sgid', file('x\n', 0o6755))]],
  },
  {
    title: 'dry-run fidelity: directory mtimes restored, kept, or planned, and nested deletions',
    nonRoot: false,
    source: [
      root(0o755, at(1_500_000_000)),
      put('same', dir(0o755, at(1_500_000_001))),
      put(['same', 'new-child'], file('new\n')),
      put('mtime-only', dir(0o755, at(1_500_000_002))),
      put('mode-only', dir(0o700, at(1_500_000_003))),
      put('untouched', dir(0o755, at(1_500_000_004))),
      put(['untouched', 'f'], file('f\n')),
    ],
    destination: [
      root(0o755, at(1_500_000_000)),
      put('same', dir(0o755, at(1_500_000_001))),
      put(['same', 'old-child'], file('deleted\n')),
      put('mtime-only', dir(0o755, at(1_400_000_000))),
      put('mode-only', dir(0o755, at(1_500_000_003))),
      put('untouched', dir(0o755, at(1_500_000_004))),
      put(['untouched', 'f'], file('f\n')),
      put('gone', dir()),
      put(['gone', 'a'], dir()),
      put(['gone', 'a', 'b'], file('b\n')),
      put(['gone', 'a', 'c'], link('b')),
    ],
    mutations: [
      [put(['untouched', 'g'], file('g\n')), remove('same', 'new-child')],
      [put('untouched', dir(0o755, at(1_500_000_005))), put(['mtime-only', 'x'], dir())],
    ],
  },
  {
    title: 'odd names, hard links, empty files and empty nested directories',
    nonRoot: false,
    source: [
      root(),
      put('with space', file('s\n')),
      put(' leading', file('l\n')),
      put('trailing ', file('t\n')),
      put('line\nbreak', file('nl\n')),
      put('-leading-dash', file('dash\n')),
      put('--', file('double dash\n')),
      put('quote\'and"dq', file('q\n')),
      put('back\\slash', file('b\n')),
      put('tab\there', file('t\n')),
      put('*glob?[x]', file('g\n')),
      put('empty', file('')),
      put('hard-a', { ...file('shared inode\n', 0o640), linkGroup: 1 } as Entry),
      put('hard-b', { ...file('shared inode\n', 0o640), linkGroup: 1 } as Entry),
      put('e1', dir()),
      put(['e1', 'e2'], dir(0o700)),
      put(['e1', 'e2', 'e3'], dir(0o555)),
    ],
    destination: [root(), put('hard-a', file('shared inode\n', 0o640))],
    mutations: [
      [put('hard-a', file('now apart\n', 0o640)), remove('e1', 'e2', 'e3'), put('line\nbreak', file(''))],
    ],
  },
];

/** Generated case: a seeded source of 5 to 40 entries, a seeded destination, 2 or 3 rounds. */
export function generatedCase(seed: number): Case {
  const rng = new Rng(seed);
  // about a quarter run unprivileged, where read-only and unreadable entries mean something
  const nonRoot = seed % 4 === 0;
  const source = generateTree(rng, 5 + rng.int(36));
  const model: Tree = new Map();
  applyToModel(model, source);
  let unreadable: Key | undefined;
  if (nonRoot && rng.chance(0.6)) {
    const files = [...model].filter(([, entry]) => entry.type === 'file' && entry.linkGroup === undefined);
    if (files.length > 0) {
      const [key, entry] = rng.pick(files);
      unreadable = key;
      const step: Step = { put: key, entry: { ...entry, mode: 0o000 } as Entry };
      source.push(step);
      applyToModel(model, [step]);
    }
  }
  // rsync deletes extras even when a file could not be read; file-sync deletes nothing in such a
  // run (documented): a destination that needs no deletion keeps that difference out of the way
  const destination = generateDestination(rng, model, unreadable !== undefined, nonRoot);
  const mutations: Step[][] = [];
  for (let round = 2 + rng.int(2); round > 1; round--) {
    const steps: Step[] = [];
    if (unreadable !== undefined) {
      const entry = model.get(unreadable);
      if (entry?.type === 'file') {
        const step: Step = { put: unreadable, entry: { ...entry, mode: rng.pick(FILE_MODES) } };
        steps.push(step);
        applyToModel(model, [step]);
      }
      unreadable = undefined;
    }
    steps.push(...mutate(rng, model, nonRoot));
    mutations.push(steps);
  }
  return {
    title: `seed ${seed}${nonRoot ? ' (non-root)' : ''}`,
    nonRoot,
    source,
    destination,
    mutations,
  };
}
