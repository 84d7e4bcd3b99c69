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
  unlinkSync,
  utimesSync,
} from 'node:fs';
import { copyFile } from 'node:fs/promises';
import { atomicSymlink, fsyncDir } from '@tempered/core';
import { EntryFailedError, SourceVanishedError } from '../errors.js';
import { assertRelativePath, parentOf } from '../plan/relativePath.js';
import type { EntryTypeName } from '../tree/EntryTable.js';
import { type ScanOptions, type ScanResult, scanTree } from '../tree/scanTree.js';
import { tempNameFor } from '../tree/tempName.js';
import type { Destination, FileAttrs } from './Destination.js';

/** Files from this size up are copied off the main thread (copy_file_range in the thread pool). */
const ASYNC_COPY_BYTES = 8 * 1024 * 1024;

export interface LocalDestinationOptions {
  /** fsync each file before its rename and every touched directory at the end (default off, like rsync). */
  fsync?: boolean;
}

/**
 * A directory on a local (or mounted) filesystem. Small files are copied with synchronous
 * syscalls: for thousands of small files the thread pool's round trips cost more than the copy.
 * Content goes to `.<name>.file-sync-tmp-<pid>-<hex>` beside the final path, gets its mode
 * (copyFile keeps the source's) and mtime, and is renamed into place: a kill leaves at most a
 * temp file, never a partial file at a final path.
 */
export class LocalDestination implements Destination {
  readonly location: string;
  readonly #fsync: boolean;
  readonly #touched = new Set<string>();

  constructor(root: string, options: LocalDestinationOptions = {}) {
    this.location = root;
    this.#fsync = options.fsync ?? false;
  }

  scan(options: Omit<ScanOptions, 'side' | 'symlinks'>): Promise<ScanResult> {
    return scanTree(this.location, { ...options, side: 'destination' });
  }

  async makeDirectory(path: string, options: { replace: boolean }): Promise<void> {
    const full = this.#abs(path);
    if (options.replace) {
      const stats = lstatSync(full, { throwIfNoEntry: false });
      if (stats && !stats.isDirectory()) unlinkSync(full);
    }
    // owner rwx until the end of the run, whatever the source's mode: the run writes into it;
    // its own mode and mtime are set once nothing more changes inside
    mkdirSync(full, { recursive: true, mode: 0o700 });
    this.#touch(path);
  }

  async writeFile(path: string, from: string, attrs: FileAttrs, options: { replaceDirectory: boolean }) {
    const full = this.#abs(path);
    if (options.replaceDirectory) this.#removeDirectoryInTheWay(path, full);
    const temp = `${this.#abs(parentOf(path))}/${tempNameFor(basenameOf(path))}`;
    try {
      // COPYFILE_EXCL: O_EXCL never follows a symlink planted at the temp name
      if (attrs.size >= ASYNC_COPY_BYTES) await copyFile(from, temp, constants.COPYFILE_EXCL);
      else copyFileSync(from, temp, constants.COPYFILE_EXCL);
      utimesSync(temp, Date.now() / 1000, attrs.mtimeMs / 1000);
      if (this.#fsync) {
        const fd = openSync(temp, 'r');
        try {
          fsyncSync(fd);
        } finally {
          closeSync(fd);
        }
      }
      renameSync(temp, full);
    } catch (error) {
      rmSync(temp, { force: true });
      if ((error as NodeJS.ErrnoException).code === 'ENOENT' && !existsSync(from)) {
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
    try {
      await atomicSymlink(target, full, { fsync: false });
      lutimesSync(full, Date.now() / 1000, mtimeMs / 1000);
    } catch (error) {
      throw failure(path, error);
    }
    this.#touch(parentOf(path));
  }

  async setAttributes(path: string, type: 'file' | 'dir', attrs: { mode: number; mtimeMs: number }) {
    const full = this.#abs(path);
    const flags = constants.O_RDONLY | constants.O_NOFOLLOW | (type === 'dir' ? constants.O_DIRECTORY : 0);
    let fd: number | undefined;
    try {
      fd = openSync(full, flags);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'EACCES') throw failure(path, error, 'changed since the scan, or cannot be opened');
      // an unreadable file (mode 0) still takes chmod by path; lstat first: never a symlink
      if (lstatSync(full).isSymbolicLink()) throw failure(path, error, 'became a symlink since the scan');
      utimesSync(full, Date.now() / 1000, attrs.mtimeMs / 1000);
      chmodSync(full, attrs.mode);
      return;
    }
    try {
      futimesSync(fd, Date.now() / 1000, attrs.mtimeMs / 1000);
      fchmodSync(fd, attrs.mode);
    } catch (error) {
      throw failure(path, error);
    } finally {
      closeSync(fd);
    }
  }

  async remove(path: string, type: EntryTypeName): Promise<void> {
    const full = this.#abs(path);
    try {
      if (type === 'dir') rmdirSync(full);
      else unlinkSync(full);
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
    this.#touch(parentOf(path));
  }

  async finish(): Promise<void> {
    if (!this.#fsync) return;
    for (const dir of this.#touched) await fsyncDir(this.#abs(dir));
    this.#touched.clear();
  }

  #removeDirectoryInTheWay(path: string, full: string): void {
    try {
      rmdirSync(full);
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
  const { code, message } = error as NodeJS.ErrnoException;
  const text = what
    ? `${what} (${code ?? message})`
    : `${code ? `${code}: ` : ''}${message.replace(/^[A-Z]+: /, '')}`;
  return new EntryFailedError(path, text, { cause: error });
}
