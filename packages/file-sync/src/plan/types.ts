import type { EntryTypeName } from '../tree/EntryTable.js';

/** What applying one action does to the destination. */
export const SyncOp = {
  /** Create a directory (parents too). */
  Mkdir: 'mkdir',
  /** Replace a non-directory by a directory. */
  ReplaceWithDir: 'replace-with-dir',
  /** Copy a file's content through a temp file and rename it into place. */
  Copy: 'copy',
  /** Create or replace a symlink. */
  Link: 'link',
  /** Only mode and/or mtime differ: set them, copy nothing. */
  Attrs: 'attrs',
  /** Remove an entry absent from the source (--delete). */
  Delete: 'delete',
  /** Remove a temp file an interrupted run left behind. */
  Cleanup: 'cleanup',
} as const;

export type SyncOpValue = (typeof SyncOp)[keyof typeof SyncOp];

/** Why an entry is updated; the word shown in `~ path (reason)`. */
export const UpdateReason = {
  Type: 'type',
  Size: 'size',
  Content: 'content',
  Mtime: 'mtime',
  Mode: 'mode',
  Target: 'target',
} as const;

export type UpdateReasonValue = (typeof UpdateReason)[keyof typeof UpdateReason];

export const CREATE_REASON = 'new';
export const DELETE_REASON = 'not in source';
export const CLEANUP_REASON = 'temp file of an interrupted run';

/** Plain data: what `--dry-run --json` shows is what applying runs. */
export interface SyncDetails {
  op: SyncOpValue;
  /** Relative, '/'-separated; '' is the destination root. */
  path: string;
  /** The type the entry will have (delete/cleanup: the type it has). */
  type: EntryTypeName;
  size?: number;
  mtimeMs?: number;
  mode?: number;
  linkTarget?: string;
  /** Set when a directory in the destination must make way for a non-directory. */
  replacesDirectory?: boolean;
}

/**
 * Phases, applied lowest first, each only when every earlier action succeeded. Directories exist
 * before what goes in them; deletions come after every copy, children before their directory
 * (one phase per depth, deepest first); a directory that must become a file goes once its
 * contents are deleted; directory attributes are set last, when nothing more changes inside.
 */
export const Phase = {
  Cleanup: 0,
  ReplaceWithDir: 1,
  Mkdir: 2,
  Files: 3,
  DeleteNonDirectories: 4,
  /** Directories at depth d are deleted in phase DeleteDirectoriesBase + MAX_DEPTH - d. */
  DeleteDirectoriesBase: 5,
  ReplaceDirectory: 5 + 10_000,
  DirectoryAttrs: 5 + 10_001,
} as const;

export const MAX_DEPTH = 10_000;

/**
 * Two mtimes closer than this are the same: Node sets times from a double of seconds, which
 * carries about a microsecond, not the nanoseconds the filesystem stores.
 */
export const MTIME_TOLERANCE_MS = 0.01;
