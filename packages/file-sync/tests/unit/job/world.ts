import type { SyncWorld } from '../../../src/job/world.js';
import type { SyncOptions } from '../../../src/options.js';
import { type Entry, EntryTable, EntryType } from '../../../src/tree/EntryTable.js';
import type { ScanIssue, ScanResult } from '../../../src/tree/scanTree.js';

/** Plain-object worlds for the pure parts of the sync job: no filesystem. */
export const T = 1_700_000_000_000;

export const root = (extra: Partial<Entry> = {}): Entry => ({
  path: '',
  type: EntryType.Directory,
  size: 0,
  mtimeMs: T,
  mode: 0o755,
  ...extra,
});
export const file = (path: string, extra: Partial<Entry> = {}): Entry => ({
  path,
  type: EntryType.File,
  size: 10,
  mtimeMs: T,
  mode: 0o644,
  ...extra,
});
export const dir = (path: string, extra: Partial<Entry> = {}): Entry => ({
  path,
  type: EntryType.Directory,
  size: 0,
  mtimeMs: T,
  mode: 0o755,
  ...extra,
});

export function scan(
  entries: Entry[] | undefined,
  extra: { leftovers?: string[]; errors?: ScanIssue[]; warnings?: ScanIssue[] } = {},
): ScanResult {
  return {
    exists: entries !== undefined,
    entries: EntryTable.from(entries ?? []),
    leftovers: extra.leftovers ?? [],
    errors: extra.errors ?? [],
    warnings: extra.warnings ?? [],
    durationMs: 1,
  };
}

export function world(source: ScanResult, destination: ScanResult): SyncWorld {
  return { source, destination };
}

export function options(extra: Partial<SyncOptions> = {}): SyncOptions {
  return {
    source: '/src',
    destination: '/dst',
    delete: false,
    maxDelete: 1000,
    include: [],
    exclude: [],
    checksum: false,
    symlinks: 'preserve',
    concurrency: 8,
    fsync: false,
    allowEmptySource: false,
    ...extra,
  };
}
