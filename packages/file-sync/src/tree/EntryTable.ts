import { compareTreePaths } from './treeOrder.js';

/** What an entry is; `Other` (fifo, socket, device) only ever appears on the destination side. */
export const EntryType = {
  File: 1,
  Directory: 2,
  Symlink: 3,
  Other: 4,
} as const;

export type EntryTypeValue = (typeof EntryType)[keyof typeof EntryType];

export const ENTRY_TYPE_NAMES = {
  [EntryType.File]: 'file',
  [EntryType.Directory]: 'dir',
  [EntryType.Symlink]: 'symlink',
  [EntryType.Other]: 'other',
} as const;

export type EntryTypeName = (typeof ENTRY_TYPE_NAMES)[EntryTypeValue];

/** One entry of a tree, as tests and plan details see it. `path` is relative, '/'-separated; '' is the root. */
export interface Entry {
  path: string;
  type: EntryTypeValue;
  /** Bytes (files); 0 otherwise. */
  size: number;
  mtimeMs: number;
  /** Permission bits (0o7777). */
  mode: number;
  /** Symlinks only: the target as stored in the link. */
  linkTarget?: string;
  /** --checksum only: content digest of a file. */
  hash?: string;
}

const INITIAL_CAPACITY = 256;

export interface EntryColumns {
  paths: string;
  types: Uint8Array<ArrayBuffer>;
  sizes: Float64Array<ArrayBuffer>;
  mtimes: Float64Array<ArrayBuffer>;
  modes: Uint16Array<ArrayBuffer>;
  links: [number, string][];
  hashes: [number, string][];
}

/**
 * A scanned tree in columns: one string per path and a few typed arrays, about 60 bytes per entry
 * plus the path itself, instead of an object (and its hidden class) per file. Rows are in scan
 * order (pre-order, siblings sorted), so a directory's descendants follow it directly.
 */
export class EntryTable {
  readonly #paths: string[] = [];
  #types = new Uint8Array(INITIAL_CAPACITY);
  #sizes = new Float64Array(INITIAL_CAPACITY);
  #mtimes = new Float64Array(INITIAL_CAPACITY);
  #modes = new Uint16Array(INITIAL_CAPACITY);
  /** Sparse columns: few entries have them. */
  readonly #links = new Map<number, string>();
  readonly #hashes = new Map<number, string>();
  #index: Map<string, number> | undefined;

  /** A table of `entries` in tree order (whatever order they come in): for tests and listings. */
  static from(entries: Iterable<Entry>): EntryTable {
    const table = new EntryTable();
    for (const entry of [...entries].sort((a, b) => compareTreePaths(a.path, b.path))) table.add(entry);
    return table;
  }

  /** Plain columns for postMessage: paths joined by NUL (no path holds one), arrays transferable. */
  toColumns(): EntryColumns {
    const n = this.#paths.length;
    return {
      paths: this.#paths.join('\0'),
      types: this.#types.slice(0, n),
      sizes: this.#sizes.slice(0, n),
      mtimes: this.#mtimes.slice(0, n),
      modes: this.#modes.slice(0, n),
      links: [...this.#links],
      hashes: [...this.#hashes],
    };
  }

  static fromColumns(columns: EntryColumns): EntryTable {
    const table = new EntryTable();
    const paths = columns.paths === '' && columns.types.length === 0 ? [] : columns.paths.split('\0');
    table.#paths.push(...paths);
    table.#types = columns.types;
    table.#sizes = columns.sizes;
    table.#mtimes = columns.mtimes;
    table.#modes = columns.modes;
    for (const [i, link] of columns.links) table.#links.set(i, link);
    for (const [i, hash] of columns.hashes) table.#hashes.set(i, hash);
    if (table.#types.length === 0) table.#grow();
    return table;
  }

  get length(): number {
    return this.#paths.length;
  }

  add(entry: Entry): number {
    return this.push(
      entry.path,
      entry.type,
      entry.size,
      entry.mtimeMs,
      entry.mode,
      entry.linkTarget,
      entry.hash,
    );
  }

  /** The scanner's hot path: no intermediate object. */
  push(
    path: string,
    type: EntryTypeValue,
    size: number,
    mtimeMs: number,
    mode: number,
    linkTarget?: string,
    hash?: string,
  ): number {
    const i = this.#paths.length;
    if (i === this.#types.length) this.#grow();
    this.#paths.push(path);
    this.#types[i] = type;
    this.#sizes[i] = size;
    this.#mtimes[i] = mtimeMs;
    this.#modes[i] = mode & 0o7777;
    if (linkTarget !== undefined) this.#links.set(i, linkTarget);
    if (hash !== undefined) this.#hashes.set(i, hash);
    this.#index?.set(path, i);
    return i;
  }

  path(i: number): string {
    return this.#paths[i] ?? '';
  }
  type(i: number): EntryTypeValue {
    return (this.#types[i] ?? EntryType.Other) as EntryTypeValue;
  }
  size(i: number): number {
    return this.#sizes[i] ?? 0;
  }
  mtimeMs(i: number): number {
    return this.#mtimes[i] ?? 0;
  }
  mode(i: number): number {
    return this.#modes[i] ?? 0;
  }
  linkTarget(i: number): string | undefined {
    return this.#links.get(i);
  }
  hash(i: number): string | undefined {
    return this.#hashes.get(i);
  }
  setHash(i: number, hash: string): void {
    this.#hashes.set(i, hash);
  }

  /** Row of `path`, or -1; the index is built on first use. */
  indexOf(path: string): number {
    if (!this.#index) {
      this.#index = new Map();
      for (let i = 0; i < this.#paths.length; i++) this.#index.set(this.#paths[i] as string, i);
    }
    return this.#index.get(path) ?? -1;
  }

  entry(i: number): Entry {
    const entry: Entry = {
      path: this.path(i),
      type: this.type(i),
      size: this.size(i),
      mtimeMs: this.mtimeMs(i),
      mode: this.mode(i),
    };
    const link = this.linkTarget(i);
    if (link !== undefined) entry.linkTarget = link;
    const hash = this.hash(i);
    if (hash !== undefined) entry.hash = hash;
    return entry;
  }

  *entries(): IterableIterator<Entry> {
    for (let i = 0; i < this.#paths.length; i++) yield this.entry(i);
  }

  #grow(): void {
    const capacity = Math.max(INITIAL_CAPACITY, this.#types.length * 2);
    const types = new Uint8Array(capacity);
    types.set(this.#types);
    this.#types = types;
    const sizes = new Float64Array(capacity);
    sizes.set(this.#sizes);
    this.#sizes = sizes;
    const mtimes = new Float64Array(capacity);
    mtimes.set(this.#mtimes);
    this.#mtimes = mtimes;
    const modes = new Uint16Array(capacity);
    modes.set(this.#modes);
    this.#modes = modes;
  }
}
