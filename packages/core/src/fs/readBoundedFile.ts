import { closeSync, constants, fstatSync, openSync, readSync, type Stats } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import { formatBytes } from '../util/bytes.js';

/**
 * Reading a file an operator names (a config file, a `*_FILE` secret) is reading untrusted input:
 * a FIFO blocks a read until someone writes, `/dev/zero` never ends, and a huge file eats memory.
 * The file is opened without blocking (O_NONBLOCK: a FIFO with no writer opens at once), the
 * OPENED descriptor is checked (no race with a rename between a stat and the open), anything but
 * a regular file is refused before a byte is read, and at most `maxBytes` are ever read.
 */

/** Why a file was refused, in words that finish "cannot read <file>: ...". */
export class BoundedReadError extends Error {
  /** ENOENT, EACCES... for an open that failed; E_NOT_REGULAR or E_TOO_LARGE for a refusal. */
  readonly code: string;
  readonly path: string;

  constructor(path: string, code: string, reason: string, options?: ErrorOptions) {
    super(reason, options);
    this.name = 'BoundedReadError';
    this.code = code;
    this.path = path;
  }
}

export interface BoundedReadOptions {
  /** Largest size accepted, in bytes. */
  maxBytes: number;
}

// O_NOCTTY: a terminal device named by mistake must not become our controlling terminal
const OPEN_FLAGS = constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY;

/** `1 MiB`, `64 KiB`, or bytes: limits are round binary sizes, and say so in messages. */
function kindOf(info: Stats): string {
  if (info.isDirectory()) return 'a directory';
  if (info.isFIFO()) return 'a FIFO';
  if (info.isCharacterDevice()) return 'a character device';
  if (info.isBlockDevice()) return 'a block device';
  if (info.isSocket()) return 'a socket';
  return 'not a regular file';
}

function check(path: string, info: Stats, maxBytes: number): void {
  if (!info.isFile()) {
    throw new BoundedReadError(path, 'E_NOT_REGULAR', `${kindOf(info)}, not a regular file`);
  }
  if (info.size > maxBytes) throw tooLarge(path, maxBytes);
}

function tooLarge(path: string, maxBytes: number): BoundedReadError {
  return new BoundedReadError(path, 'E_TOO_LARGE', `larger than the ${formatBytes(maxBytes)} limit`);
}

function openFailed(path: string, error: unknown): BoundedReadError {
  const code = (error as NodeJS.ErrnoException).code ?? 'EIO';
  return new BoundedReadError(path, code, code, { cause: error });
}

/**
 * The whole content of a regular file of at most `maxBytes`, read asynchronously. Throws a
 * BoundedReadError for a file that cannot be opened, is not a regular file, or is too large
 * (also when it grows past the limit while being read).
 */
export async function readBoundedFile(path: string, options: BoundedReadOptions): Promise<Buffer> {
  let handle: FileHandle;
  try {
    handle = await open(path, OPEN_FLAGS);
  } catch (error) {
    throw openFailed(path, error);
  }
  try {
    check(path, await handle.stat(), options.maxBytes);
    // one byte past the limit tells a file that grew after the stat from one that fits
    const buffer = Buffer.alloc(options.maxBytes + 1);
    let length = 0;
    while (length < buffer.length) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, null);
      if (bytesRead === 0) break;
      length += bytesRead;
    }
    if (length > options.maxBytes) throw tooLarge(path, options.maxBytes);
    return buffer.subarray(0, length);
  } finally {
    await handle.close();
  }
}

/**
 * The same rules for the few callers that must stay synchronous (config interpolation). Only a
 * regular file is ever read, and at most `maxBytes` of it, so this cannot wait on a writer or an
 * endless device: the time it takes is bounded by a local read of `maxBytes`.
 */
export function readBoundedFileSync(path: string, options: BoundedReadOptions): Buffer {
  let fd: number;
  try {
    fd = openSync(path, OPEN_FLAGS);
  } catch (error) {
    throw openFailed(path, error);
  }
  try {
    check(path, fstatSync(fd), options.maxBytes);
    const buffer = Buffer.alloc(options.maxBytes + 1);
    let length = 0;
    while (length < buffer.length) {
      const bytesRead = readSync(fd, buffer, length, buffer.length - length, null);
      if (bytesRead === 0) break;
      length += bytesRead;
    }
    if (length > options.maxBytes) throw tooLarge(path, options.maxBytes);
    return buffer.subarray(0, length);
  } finally {
    closeSync(fd);
  }
}
