import type { SyncOptions } from '../options.js';
import { ENTRY_TYPE_NAMES, type EntryTable, EntryType } from '../tree/EntryTable.js';
import type { ScanResult } from '../tree/scanTree.js';
import type { SyncWorld } from './world.js';

/**
 * What a sync plan depends on, one key per entry, so a drift line names the path that changed:
 * `source:<path>` and `destination:<path>` -> type, size, mtime, mode, link target and (with
 * --checksum) the content hash compared; temp files of interrupted runs and unreadable entries
 * too. Linear in the entries: a 100k-entry tree is 100k short strings per side.
 */
export function syncFacts(world: SyncWorld, _options: SyncOptions): Record<string, string> {
  const facts: Record<string, string> = {};
  for (const side of ['source', 'destination'] as const) addSide(facts, side, world[side]);
  return facts;
}

function addSide(facts: Record<string, string>, side: string, scan: ScanResult): void {
  // the root is '.', as the dry-run shows it ('./')
  if (!scan.exists) facts[`${side}:.`] = 'missing';
  const table = scan.entries;
  for (let i = 0; i < table.length; i++) facts[`${side}:${table.path(i) || '.'}`] = describe(table, i);
  for (const path of scan.leftovers) facts[`${side}:${path}`] = 'temp file of an interrupted run';
  for (const issue of scan.errors) facts[`unreadable:${side}:${issue.path}`] = issue.message;
}

function describe(table: EntryTable, i: number): string {
  const type = table.type(i);
  const parts: string[] = [ENTRY_TYPE_NAMES[type]];
  if (type === EntryType.File) parts.push(`size=${table.size(i)}`);
  if (type !== EntryType.Symlink) parts.push(`mode=${table.mode(i).toString(8)}`);
  parts.push(`mtime=${table.mtimeMs(i)}`);
  const link = table.linkTarget(i);
  if (link !== undefined) parts.push(`target=${JSON.stringify(link)}`);
  const hash = table.hash(i);
  if (hash !== undefined) parts.push(`sha256=${hash}`);
  return parts.join(' ');
}
