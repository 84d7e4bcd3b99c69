import type { EntryTypeName } from '../tree/EntryTable.js';
import type { ScanOptions, ScanResult } from '../tree/scanTree.js';

export interface FileAttrs {
  mode: number;
  mtimeMs: number;
  /** Bytes the source had when scanned (a hint: big files take the asynchronous path). */
  size: number;
}

/**
 * Where a sync writes. The planner only ever sees the EntryTable that `scan` returns, so a remote
 * destination (SFTP, S3-compatible storage) is a new implementation of this interface, not a
 * change to planning. Every `path` is relative to the destination root, '/'-separated, and has
 * passed `assertRelativePath`; '' is the root. Implementations must replace entries atomically
 * (no partial file ever at a final path), never follow a symlink found in the destination, and
 * name temp files with the run's TempNames, so an interrupted run's leftovers are cleaned up.
 */
export interface Destination {
  /** The root as an operator reads it (a path, a URL without credentials). */
  readonly location: string;
  scan(options: Omit<ScanOptions, 'side' | 'symlinks'>): Promise<ScanResult>;
  /** Creates a directory; `replace`: an existing non-directory is removed first. */
  makeDirectory(path: string, options: { replace: boolean }): Promise<void>;
  /** Writes the content of the local file `from` at `path`, atomically; returns the bytes copied. */
  writeFile(
    path: string,
    from: string,
    attrs: FileAttrs,
    options: { replaceDirectory: boolean },
  ): Promise<number>;
  writeSymlink(
    path: string,
    target: string,
    mtimeMs: number,
    options: { replaceDirectory: boolean },
  ): Promise<void>;
  /** Sets mode and mtime of an existing file or directory, without following a symlink. */
  setAttributes(path: string, type: 'file' | 'dir', attrs: { mode: number; mtimeMs: number }): Promise<void>;
  /** Sets the mtime of the symlink at `path` itself (a link has no mode of its own). */
  setLinkTime(path: string, mtimeMs: number): Promise<void>;
  /** Removes one entry (a directory must be empty by now); an entry already gone is fine. */
  remove(path: string, type: EntryTypeName): Promise<void>;
  /**
   * Directories the run made writable for itself (path -> the mode they had): each gets its
   * final mode at the end, the source's or, for one the source lacks, `restoreMode`.
   */
  openedDirectories(): ReadonlyMap<string, number>;
  restoreMode(path: string, mode: number): Promise<void>;
  /** End of the run's writes: with durability on, makes every rename and removal survive a crash. */
  finish(): Promise<void>;
}
