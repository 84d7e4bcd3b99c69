import { InternalError, type PlanAction } from '@tempered/core';
import { ENTRY_TYPE_NAMES, type EntryTable, EntryType, type EntryTypeValue } from '../tree/EntryTable.js';
import { compareTreePaths } from '../tree/treeOrder.js';
import { assertRelativePath, depthOf } from './relativePath.js';
import {
  CLEANUP_REASON,
  CREATE_REASON,
  DELETE_REASON,
  MAX_DEPTH,
  MTIME_TOLERANCE_MS,
  Phase,
  type SyncDetails,
  SyncOp,
  type SyncOpValue,
  type UpdateReasonValue,
} from './types.js';

export interface PlanSyncOptions {
  /** Delete destination entries absent from the source. */
  delete: boolean;
  /** Compare files of equal size by content (`hash` of both entries) instead of mtime. */
  checksum: boolean;
  /** Temp files of interrupted runs in the destination: removed, never content. */
  leftovers?: readonly string[];
  /** List unchanged entries as skip actions too (default: only count them). */
  listUnchanged?: boolean;
}

export type SyncAction = PlanAction<SyncDetails>;

export interface SyncPlan {
  /** The changes, in tree order (and skips, with `listUnchanged`). */
  actions: SyncAction[];
  /** Entries already in sync. */
  unchanged: number;
}

/**
 * Compares two scanned trees and returns every action that makes the destination match the
 * source, and how many entries are unchanged (listed as skips only when asked: a no-op run over
 * 50,000 files would otherwise allocate 50,000 actions to say nothing). Pure: no I/O, no clock;
 * the same trees give the same plan.
 *
 * Files: size, then mtime (or, with `checksum`, content), then mode. Directories: mode and mtime.
 * Symlinks: the target. A type change replaces the entry. With `delete`, entries only the
 * destination has are deleted, children before their directory.
 */
export function planSync(source: EntryTable, dest: EntryTable, options: PlanSyncOptions): SyncPlan {
  const actions: SyncAction[] = [];
  const listUnchanged = options.listUnchanged === true;
  let unchanged = 0;
  for (const path of options.leftovers ?? []) {
    assertRelativePath(path);
    actions.push({
      id: `cleanup:${path}`,
      kind: 'delete',
      target: path,
      reason: CLEANUP_REASON,
      phase: Phase.Cleanup,
      details: { op: SyncOp.Cleanup, path, type: 'file' },
    });
  }

  // both tables are in tree order (pre-order, siblings sorted): one merge pass, no index
  let j = 0;
  const deleteUpTo = (end: number) => {
    for (; j < end; j++) if (options.delete && dest.path(j) !== '') actions.push(deletion(dest, j));
  };
  for (let k = 1; k < dest.length; k++) {
    if (compareTreePaths(dest.path(k - 1), dest.path(k)) >= 0)
      throw unordered('destination', dest.path(k - 1), dest.path(k));
  }
  let previous: string | undefined;
  for (let i = 0; i < source.length; i++) {
    const path = source.path(i);
    assertRelativePath(path);
    if (previous !== undefined && compareTreePaths(previous, path) >= 0)
      throw unordered('source', previous, path);
    previous = path;
    // destination entries sorting before this path are not in the source (the usual case, the
    // same path on both sides, needs no ordering comparison)
    if (j < dest.length && dest.path(j) !== path) {
      while (j < dest.length && compareTreePaths(dest.path(j), path) < 0) deleteUpTo(j + 1);
    }
    if (j < dest.length && dest.path(j) === path) {
      // a directory that must become a non-directory: what it holds is not in the source, so it
      // sorts as unmatched and is deleted first with --delete; without it, the replacement fails
      const action = compare(source, i, dest, j, options.checksum);
      if (action !== undefined) {
        actions.push(action);
      } else {
        unchanged++;
        if (listUnchanged) actions.push(skip(path));
      }
      j++;
    } else {
      actions.push(create(source, i));
    }
  }
  deleteUpTo(dest.length);
  return { actions, unchanged };
}

function skip(path: string): SyncAction {
  return { id: `skip:${path}`, kind: 'skip', target: targetOf(path), reason: 'up to date' };
}

function unordered(side: string, before: string, after: string): InternalError {
  return new InternalError(
    `${side} entries are not in tree order (${JSON.stringify(before)} before ${JSON.stringify(after)})`,
  );
}

function targetOf(path: string): string {
  return path === '' ? '.' : path;
}

function base(table: EntryTable, i: number): Omit<SyncDetails, 'op'> {
  const type = table.type(i);
  const details: Omit<SyncDetails, 'op'> = {
    path: table.path(i),
    type: ENTRY_TYPE_NAMES[type],
    mtimeMs: table.mtimeMs(i),
  };
  if (type === EntryType.File) details.size = table.size(i);
  if (type !== EntryType.Symlink) details.mode = table.mode(i);
  const link = table.linkTarget(i);
  if (link !== undefined) details.linkTarget = link;
  return details;
}

function opFor(type: EntryTypeValue) {
  if (type === EntryType.Directory) return SyncOp.Mkdir;
  if (type === EntryType.Symlink) return SyncOp.Link;
  return SyncOp.Copy;
}

function create(source: EntryTable, i: number): SyncAction {
  const path = source.path(i);
  const type = source.type(i);
  const op = opFor(type);
  return {
    id: `${op}:${path}`,
    kind: 'create',
    target: targetOf(path),
    reason: CREATE_REASON,
    phase: type === EntryType.Directory ? Phase.Mkdir : Phase.Files,
    details: { op, ...base(source, i) },
  };
}

function update(
  source: EntryTable,
  i: number,
  op: SyncOpValue,
  reason: UpdateReasonValue,
  phase: number,
  extra: Partial<SyncDetails> = {},
): SyncAction {
  const path = source.path(i);
  return {
    id: `${op}:${path}`,
    kind: 'update',
    target: targetOf(path),
    reason,
    phase,
    details: { op, ...base(source, i), ...extra },
  };
}

/** The action that brings entry j of `dest` to entry i of `source`; undefined when none is needed. */
function compare(
  source: EntryTable,
  i: number,
  dest: EntryTable,
  j: number,
  checksum: boolean,
): SyncAction | undefined {
  const type = source.type(i);
  const destType = dest.type(j);

  if (type !== destType) {
    if (type === EntryType.Directory)
      return update(source, i, SyncOp.ReplaceWithDir, 'type', Phase.ReplaceWithDir);
    if (destType === EntryType.Directory) {
      return update(source, i, opFor(type), 'type', Phase.ReplaceDirectory, { replacesDirectory: true });
    }
    return update(source, i, opFor(type), 'type', Phase.Files);
  }

  const mtimeDiffers = Math.abs(source.mtimeMs(i) - dest.mtimeMs(j)) >= MTIME_TOLERANCE_MS;
  const modeDiffers = source.mode(i) !== dest.mode(j);
  if (type === EntryType.Symlink) {
    if (source.linkTarget(i) !== dest.linkTarget(j))
      return update(source, i, SyncOp.Link, 'target', Phase.Files);
    // rsync -a keeps a link's own mtime too
    return mtimeDiffers ? update(source, i, SyncOp.Attrs, 'mtime', Phase.Files) : undefined;
  }
  if (type === EntryType.Directory) {
    if (modeDiffers) return update(source, i, SyncOp.Attrs, 'mode', Phase.DirectoryAttrs);
    if (mtimeDiffers) return update(source, i, SyncOp.Attrs, 'mtime', Phase.DirectoryAttrs);
    return undefined;
  }
  if (source.size(i) !== dest.size(j)) return update(source, i, SyncOp.Copy, 'size', Phase.Files);
  if (checksum) {
    const hash = source.hash(i);
    if (hash === undefined || hash !== dest.hash(j))
      return update(source, i, SyncOp.Copy, 'content', Phase.Files);
    if (mtimeDiffers) return update(source, i, SyncOp.Attrs, 'mtime', Phase.Files);
  } else if (mtimeDiffers) {
    return update(source, i, SyncOp.Copy, 'mtime', Phase.Files);
  }
  if (modeDiffers) return update(source, i, SyncOp.Attrs, 'mode', Phase.Files);
  return undefined;
}

function deletion(dest: EntryTable, j: number): SyncAction {
  const path = dest.path(j);
  assertRelativePath(path);
  const type = dest.type(j);
  const isDirectory = type === EntryType.Directory;
  // the id names this entry as it is now: if it is recreated before a resumed run, that run
  // must not take the old deletion, completed in the journal, for this one
  const id = `delete:${path}@${ENTRY_TYPE_NAMES[type]}:${dest.size(j)}:${dest.mtimeMs(j)}`;
  return {
    id,
    kind: 'delete',
    target: path,
    reason: DELETE_REASON,
    phase: isDirectory
      ? Phase.DeleteDirectoriesBase + MAX_DEPTH - Math.min(depthOf(path), MAX_DEPTH)
      : Phase.DeleteNonDirectories,
    details: { op: SyncOp.Delete, path, type: ENTRY_TYPE_NAMES[type] },
  };
}
