import { closeSync, constants, fchmodSync, fstatSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import pino, { type DestinationStream, type Logger as PinoLogger } from 'pino';
import { UsageError } from '../errors/index.js';
import { describeFsError } from '../fs/describeFsError.js';
import type { LogLevelName } from './constants.js';
import { humanFormat } from './humanFormat.js';
import { stderrIsJournal, withPriority } from './journal.js';
import { type Redactor, secrets } from './redact.js';

export type Logger = PinoLogger;

export interface LoggerOptions {
  level?: LogLevelName;
  /** Keys on every line: cli, command, environment, run_id. */
  bindings?: Record<string, unknown>;
  /** Defaults to fd 2 (stderr). Tests pass their own sink. */
  destination?: DestinationStream;
  /** Human lines instead of JSON; defaults to whether stderr is a TTY. */
  human?: boolean;
  /** Append JSON lines to this file as well (created 0600). */
  file?: string;
  redactor?: Redactor;
}

export interface ClosableLogger {
  logger: Logger;
  /** Flushes and closes the log file; safe to call twice. */
  close(): void;
}

/** Synchronous fd writer: cron jobs exit right after the last line, and async buffers lose it. */
class FdStream implements DestinationStream {
  constructor(
    private readonly fd: number,
    private readonly format?: (line: string) => string,
  ) {}
  write(line: string): void {
    const text = this.format ? this.format(line) : line;
    writeFully(this.fd, Buffer.from(escapeLoneSurrogates(text)));
  }
}

const SURROGATE = /[\ud800-\udfff]/;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/**
 * A lone surrogate (how file-sync carries a name byte that is not UTF-8) would reach the log as
 * U+FFFD, the byte lost. pino writes strings as they are, so escape it here: inside a JSON line
 * `\udcff` is the same string to any JSON reader; on a human line it shows the byte.
 */
export function escapeLoneSurrogates(text: string): string {
  if (!SURROGATE.test(text)) return text;
  return text.replace(LONE_SURROGATE, (unit) => `\\u${unit.charCodeAt(0).toString(16)}`);
}

const pause = new Int32Array(new SharedArrayBuffer(4));
/** About a second of waiting for a full pipe before a log line is dropped. */
const MAX_EAGAIN_WAITS = 1000;

/**
 * stderr is a non-blocking pipe when a parent reads it (a CI runner, a supervisor): a full pipe
 * answers EAGAIN and a write may be partial. Wait a millisecond and go on, as sonic-boom does;
 * a reader that is gone (EPIPE, EBADF) or stuck for a second costs the line, never the run.
 */
function writeFully(fd: number, buffer: Buffer): void {
  let offset = 0;
  let waits = 0;
  while (offset < buffer.length) {
    try {
      offset += writeSync(fd, buffer, offset, buffer.length - offset);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EAGAIN' && waits++ < MAX_EAGAIN_WAITS) {
        Atomics.wait(pause, 0, 0, 1);
        continue;
      }
      if (code === 'EAGAIN' || code === 'EPIPE' || code === 'EBADF') return;
      throw error;
    }
  }
}

// O_NONBLOCK: opening a FIFO for writing waits for a reader, for good if none comes, and SIGTERM
// could not end the run; a full pipe is what writeFully already handles. O_NOFOLLOW: a root run
// must not append to (and chmod) whatever file a symlink in a log directory points at.
const LOG_FILE_FLAGS =
  constants.O_WRONLY |
  constants.O_APPEND |
  constants.O_CREAT |
  constants.O_NONBLOCK |
  constants.O_NOCTTY |
  constants.O_NOFOLLOW;
// /dev/stdout and friends are symlinks to a pipe or a terminal: followed, but never created
const LINKED_STREAM_FLAGS =
  constants.O_WRONLY | constants.O_APPEND | constants.O_NONBLOCK | constants.O_NOCTTY;

const LOG_FILE_HINT = 'point --log-file (or logFile, TEMPERED_LOG_FILE) at a regular file of your own';

export function openLogFile(path: string): number {
  try {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  } catch (error) {
    throw cannotOpen(path, error);
  }
  const fd = openOrRefuse(path, LOG_FILE_FLAGS) ?? openLinkedStream(path);
  const info = fstatSync(fd);
  if (info.isFile()) {
    // a file someone else owns, or one with another name too (a hard link to /etc/passwd), is
    // not a log of ours to append to or to chmod
    const uid = process.getuid?.();
    const problem =
      uid !== undefined && info.uid !== uid
        ? `it belongs to uid ${info.uid}, not to this user (uid ${uid})`
        : info.nlink > 1
          ? `it has ${info.nlink} hard links`
          : undefined;
    if (problem !== undefined) {
      closeSync(fd);
      throw new UsageError(`cannot use log file ${path}: ${problem}`, { hint: LOG_FILE_HINT });
    }
    // an existing file keeps its mode on open; logs may hold run details, so tighten it
    if ((info.mode & 0o077) !== 0) fchmodSync(fd, 0o600);
  }
  return fd;
}

/** The fd, or undefined when `path` is a symlink (ELOOP under O_NOFOLLOW). */
function openOrRefuse(path: string, flags: number): number | undefined {
  try {
    return openSync(path, flags, 0o600);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ELOOP') return undefined;
    if (code !== 'ENXIO') throw cannotOpen(path, error);
    throw new UsageError(`cannot open log file ${path}: a FIFO with no reader`, {
      cause: error,
      hint: LOG_FILE_HINT,
    });
  }
}

/** EACCES, EISDIR, EROFS...: a log file the operator named and this user cannot write. */
function cannotOpen(path: string, error: unknown): UsageError {
  return new UsageError(`cannot open log file ${path}: ${describeFsError(error)}`, {
    cause: error,
    hint: LOG_FILE_HINT,
  });
}

/** A symlink is only followed to a stream (a pipe, a terminal, /dev/null), never to a file. */
function openLinkedStream(path: string): number {
  const fd = openOrRefuse(path, LINKED_STREAM_FLAGS);
  if (fd !== undefined && !fstatSync(fd).isFile()) return fd;
  if (fd !== undefined) closeSync(fd);
  throw new UsageError(`cannot use log file ${path}: it is a symlink to a file`, {
    hint: 'name the log file itself, not a link to it',
  });
}

/**
 * pino underneath (its line format, levels, child bindings, serialisation); redaction on the
 * way in, so no sink, human or JSON, ever sees a secret.
 */
export function createLogger(options: LoggerOptions = {}): ClosableLogger {
  const redactor = options.redactor ?? secrets;
  const human = options.human ?? process.stderr.isTTY === true;
  const level = options.level ?? 'info';
  const withStack = level === 'trace' || level === 'debug';
  const console =
    options.destination ??
    new FdStream(2, human ? humanFormat : stderrIsJournal() ? withPriority : undefined);

  let fileFd: number | undefined;
  let destination: DestinationStream = console;
  if (options.file) {
    fileFd = openLogFile(options.file);
    const fileStream = new FdStream(fileFd);
    destination = {
      write(line: string) {
        console.write(line);
        fileStream.write(line);
      },
    };
  }

  const logger = pino(
    {
      level,
      base: { pid: process.pid, hostname: hostname(), ...redactor.redact(options.bindings ?? {}) },
      messageKey: 'msg',
      // errors arrive here already redacted into plain objects; pino's own serializer would undo that
      serializers: { err: (err: unknown) => err },
      hooks: {
        logMethod(args, method) {
          const redacted = args.map((arg) =>
            arg instanceof Error
              ? { err: redactor.redact(arg, { withStack }), msg: redactor.redactString(arg.message) }
              : typeof arg === 'object' && arg !== null
                ? redactor.redact(arg, { withStack })
                : typeof arg === 'string'
                  ? redactor.redactString(arg)
                  : arg,
          ) as Parameters<typeof method>;
          method.apply(this, redacted);
        },
      },
    },
    destination,
  );

  // pino formats child bindings without a hook of ours; children inherit this own property
  const protoChild = logger.child;
  logger.child = function child(this: Logger, bindings, childOptions) {
    return protoChild.call(this, redactor.redact(bindings), childOptions);
  } as Logger['child'];

  return {
    logger,
    close() {
      if (fileFd !== undefined) {
        try {
          closeSync(fileFd);
        } catch {
          // already closed
        }
        fileFd = undefined;
      }
    },
  };
}

/** A logger that drops everything, for library callers that pass none. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
