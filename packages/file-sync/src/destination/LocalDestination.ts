import {
  chmodSync,
  closeSync,
  constants,
  copyFileSync,
  existsSync,
  fchmodSync,
  fsyncSync,
  futimesSync,
  lstatSync,
  lutimesSync,
  mkdirSync,
  openSync,
  renameSync,
  rmdirSync,
  rmSync,
  symlinkSync,
  unlinkSync,
  utimesSync,
} from 'node:fs';
import { copyFile } from 'node:fs/promises';
import { describeFsError, fsyncDir } from '@tempered/core';
import { EntryFailedError, SourceVanishedError } from '../errors.js';
import { assertRelativePath, parentOf } from '../plan/relativePath.js';
import type { EntryTypeName } from '../tree/EntryTable.js';
import { fsPath } from '../tree/fsName.js';
import { type ScanOptions, type ScanResult, scanTree } from '../tree/scanTree.js';
import { TempNames } from '../tree/tempName.js';
import type { Destination, FileAttrs } from './Destination.js';
import { timeArg } from './timeArg.js';

/** Files from this size up are copied off the main thread (copy_file_range in the thread pool). */
const ASYNC_COPY_BYTES = 8 * 1024 * 1024;
const SPECIAL_BITS = 0o7000;

export interface LocalDestinationOptions {
  /** fsync each file before its rename and every touched directory at the end (default off, like rsync). */
  fsync?: boolean;
  /** This run's temp names; their tag must be in the journal before the first one is created. */
  temps?: TempNames;
}

/**
 * A directory on a local (or mounted) filesystem. Small files are copied with synchronous
 * syscalls: for thousands of small files the thread pool's round trips cost more than the copy.
 * Content goes to a temp name of this run beside the final path (see tempName.ts), gets its mode
 * and mtime, and is renamed into place: a kill leaves at most a temp file, never a partial file
 * at a final path. Nothing here follows a symlink found in the destination: entries are
 * replaced by rename or unlink, directories are created one level at a time, attributes are set
 * through O_NOFOLLOW.
 */
export class LocalDestination implements Destination {
  readonly location: string;
  readonly #fsync: boolean;
  readonly #temps: TempNames;
  readonly #touched = new Set<string>();
  /** Directories made owner-writable for this run (path -> mode they had), as rsync does. */
  readonly #opened = new Map<string, number>();
  readonly #uid = process.getuid?.() ?? -1;

  constructor(root: string, options: LocalDestinationOptions = {}) {
    this.location = root;
    this.#fsync = options.fsync ?? false;
    this.#temps = options.temps ?? new TempNames();
  }

  scan(options: Omit<ScanOptions, 'side' | 'symlinks'>): Promise<ScanResult> {
    return scanTree(this.location, { ...options, side: 'destination' });
  }

  async makeDirectory(path: string, options: { replace: boolean }): Promise<void> {
    const full = this.#abs(path);
    try {
      this.#inParent(path, () => {
        if (options.replace) {
          const stats = lstatSync(fsPath(full), { throwIfNoEntry: false });
          // a symlink is unlinked, never followed: the directory is made where the link was
          if (stats && !stats.isDirectory()) unlinkSync(fsPath(full));
        }
        this.#mkdir(path, full);
      });
    } catch (error) {
      throw failure(path, error);
    }
    this.#touch(path);
  }

  async writeFile(path: string, from: string, attrs: FileAttrs, options: { replaceDirectory: boolean }) {
    const full = this.#abs(path);
    if (options.replaceDirectory) this.#removeDirectoryInTheWay(path, full);
    const temp = `${this.#abs(parentOf(path))}/${this.#temps.next(basenameOf(path))}`;
    try {
      // COPYFILE_EXCL: O_EXCL never follows a symlink planted at the temp name
      if (attrs.size >= ASYNC_COPY_BYTES) {
        await this.#inParentAsync(path, () => copyFile(fsPath(from), fsPath(temp), constants.COPYFILE_EXCL));
      } else {
        this.#inParent(path, () => copyFileSync(fsPath(from), fsPath(temp), constants.COPYFILE_EXCL));
      }
      // writing the content cleared setuid/setgid (the kernel does, for a non-root writer)
      if ((attrs.mode & SPECIAL_BITS) !== 0) chmodSync(fsPath(temp), attrs.mode);
      utimesSync(fsPath(temp), timeArg(Date.now()), timeArg(attrs.mtimeMs));
      if (this.#fsync) {
        const fd = openSync(fsPath(temp), 'r');
        try {
          fsyncSync(fd);
        } finally {
          closeSync(fd);
        }
      }
      renameSync(fsPath(temp), fsPath(full));
    } catch (error) {
      rmSync(fsPath(temp), { force: true });
      if ((error as NodeJS.ErrnoException).code === 'ENOENT' && !existsSync(fsPath(from))) {
        throw new SourceVanishedError(path, { cause: error });
      }
      throw failure(path, error);
    }
    this.#touch(parentOf(path));
    return attrs.size;
  }

  async writeSymlink(path: string, target: string, mtimeMs: number, options: { replaceDirectory: boolean }) {
    const full = this.#abs(path);
    if (options.replaceDirectory) this.#removeDirectoryInTheWay(path, full);
    const temp = `${this.#abs(parentOf(path))}/${this.#temps.next(basenameOf(path))}`;
    try {
      this.#inParent(path, () => symlinkSync(fsPath(target), fsPath(temp)));
      lutimesSync(fsPath(temp), timeArg(Date.now()), timeArg(mtimeMs));
      renameSync(fsPath(temp), fsPath(full));
    } catch (error) {
      rmSync(fsPath(temp), { force: true });
      throw failure(path, error);
    }
    this.#touch(parentOf(path));
  }

  async setAttributes(path: string, type: 'file' | 'dir', attrs: { mode: number; mtimeMs: number }) {
    const full = this.#abs(path);
    const flags = constants.O_RDONLY | constants.O_NOFOLLOW | (type === 'dir' ? constants.O_DIRECTORY : 0);
    let fd: number | undefined;
    try {
      fd = openSync(fsPath(full), flags);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'EACCES') throw failure(path, error, 'changed since the scan, or cannot be opened');
      // an unreadable file (mode 0) still takes chmod by path; lstat first: never a symlink
      try {
        if (lstatSync(fsPath(full)).isSymbolicLink())
          throw failure(path, error, 'became a symlink since the scan');
        utimesSync(fsPath(full), timeArg(Date.now()), timeArg(attrs.mtimeMs));
        chmodSync(fsPath(full), attrs.mode);
      } catch (inner) {
        throw inner instanceof EntryFailedError ? inner : failure(path, inner);
      }
      this.#opened.delete(path);
      return;
    }
    try {
      futimesSync(fd, timeArg(Date.now()), timeArg(attrs.mtimeMs));
      fchmodSync(fd, attrs.mode);
    } catch (error) {
      throw failure(path, error);
    } finally {
      closeSync(fd);
    }
    this.#opened.delete(path);
  }

  async setLinkTime(path: string, mtimeMs: number): Promise<void> {
    const full = this.#abs(path);
    try {
      if (!lstatSync(fsPath(full)).isSymbolicLink()) throw new Error('no longer a symlink since the scan');
      lutimesSync(fsPath(full), timeArg(Date.now()), timeArg(mtimeMs));
    } catch (error) {
      throw failure(path, error);
    }
  }

  async remove(path: string, type: EntryTypeName): Promise<void> {
    const full = this.#abs(path);
    try {
      this.#inParent(path, () => {
        if (type === 'dir') rmdirSync(fsPath(full));
        else unlinkSync(fsPath(full));
      });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return;
      if (code === 'ENOTEMPTY' || code === 'EEXIST') {
        throw failure(
          path,
          error,
          'directory not empty (it holds excluded or unreadable entries); left in place',
        );
      }
      throw failure(path, error);
    }
    this.#opened.delete(path);
    this.#touch(parentOf(path));
  }

  /**
   * Directories this run made writable for itself and has not given their final mode since:
   * the caller sets each one's mode (the source's, or `mode`, the one it had) once the run's
   * writes are over.
   */
  openedDirectories(): ReadonlyMap<string, number> {
    return this.#opened;
  }

  async restoreMode(path: string, mode: number): Promise<void> {
    const full = this.#abs(path);
    try {
      if (!lstatSync(fsPath(full)).isDirectory()) return;
      chmodSync(fsPath(full), mode);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw failure(path, error);
    }
    this.#opened.delete(path);
  }

  async finish(): Promise<void> {
    if (!this.#fsync) return;
    for (const dir of this.#touched) await fsyncDir(this.#abs(dir));
    this.#touched.clear();
  }

  /**
   * Creates `path` (its parents first when missing, one level at a time), mode 0700 until the
   * end of the run: the run writes into it; its own mode and mtime are set once nothing more
   * changes inside. Bounded by the depth of the path: never a retry loop (recursive mkdir spins
   * forever on a parent where mkdir keeps answering ENOENT, e.g. under /proc).
   */
  #mkdir(path: string, full: string): void {
    try {
      mkdirSync(fsPath(full), { mode: 0o700 });
      return;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') {
        if (lstatSync(fsPath(full)).isDirectory()) return;
        throw error;
      }
      if (code !== 'ENOENT') throw error;
      // a parent not yet made (the destination root itself is made before the first action)
      if (path === '') throw error;
      const parentFull = this.#abs(parentOf(path));
      if (lstatSync(fsPath(parentFull), { throwIfNoEntry: false })) throw error; // nothing to retry
      this.#mkdir(parentOf(path), parentFull);
    }
    mkdirSync(fsPath(full), { mode: 0o700 });
  }

  /**
   * Runs `change` (a write in the directory holding `path`); when it fails with EACCES because
   * that directory is ours but not owner-writable (a read-only source directory synced by a
   * non-root user), makes it writable for the rest of the run and tries once more.
   */
  #inParent<T>(path: string, change: () => T): T {
    try {
      return change();
    } catch (error) {
      if (!this.#openParent(path, error)) throw error;
      return change();
    }
  }

  async #inParentAsync<T>(path: string, change: () => Promise<T>): Promise<T> {
    try {
      return await change();
    } catch (error) {
      if (!this.#openParent(path, error)) throw error;
      return await change();
    }
  }

  #openParent(path: string, error: unknown): boolean {
    if ((error as NodeJS.ErrnoException).code !== 'EACCES' || path === '') return false;
    const parent = parentOf(path);
    // opened meanwhile by another action of this run (a large copy awaits): just try again
    if (this.#opened.has(parent)) return true;
    const full = this.#abs(parent);
    const stats = lstatSync(fsPath(full), { throwIfNoEntry: false });
    if (!stats?.isDirectory() || stats.uid !== this.#uid || (stats.mode & 0o300) === 0o300) return false;
    chmodSync(fsPath(full), (stats.mode & 0o7777) | 0o700);
    this.#opened.set(parent, stats.mode & 0o7777);
    return true;
  }

  #removeDirectoryInTheWay(path: string, full: string): void {
    try {
      this.#inParent(path, () => rmdirSync(fsPath(full)));
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return;
      if (code === 'ENOTEMPTY' || code === 'EEXIST') {
        throw failure(
          path,
          error,
          'a non-empty directory in the destination is where the source has a file; sync with --delete to replace it',
        );
      }
      throw failure(path, error);
    }
  }

  #touch(dir: string): void {
    if (this.#fsync) this.#touched.add(dir);
  }

  #abs(path: string): string {
    assertRelativePath(path);
    if (path === '') return this.location;
    return this.location.endsWith('/') ? `${this.location}${path}` : `${this.location}/${path}`;
  }
}

function basenameOf(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

function failure(path: string, error: unknown, what?: string): EntryFailedError {
  if (error instanceof EntryFailedError) return error;
  const reason = describeFsError(error);
  return new EntryFailedError(path, what ? `${what} (${reason})` : reason, { cause: error });
}
