import { closeSync, constants, fchmodSync, fstatSync, mkdirSync, openSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import pino, { type DestinationStream, type Logger as PinoLogger } from 'pino';
import sonicBoom from 'sonic-boom';
import { UsageError } from '../errors/index.js';
import { describeFsError } from '../fs/describeFsError.js';
import type { LogLevelName } from './constants.js';
import { humanFormat } from './humanFormat.js';
import { stderrIsJournal, withPriority } from './journal.js';
import { LogTail } from './LogTail.js';
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
  /** Bounds of the tail kept for the heartbeat ping (default 100 lines, 10 KiB). */
  tail?: { maxLines?: number; maxBytes?: number };
  redactor?: Redactor;
}

export interface ClosableLogger {
  logger: Logger;
  /** The last lines written, redacted, for the closing heartbeat ping. */
  tail: LogTail;
  /** Flushes and closes the log file; safe to call twice. */
  close(): void;
}

// sonic-boom is CommonJS: its class is a property of the default export, not a named export
const { SonicBoom } = sonicBoom;
type SonicBoom = InstanceType<typeof SonicBoom>;

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

/** sonic-boom waits 100 ms per EAGAIN: about a second of a full pipe before a line is given up. */
const MAX_EAGAIN_WAITS = 10;
/** What a sink that cannot be written (a reader gone) may hold back before lines are dropped. */
const MAX_PENDING_BYTES = 4 * 1024 * 1024;

/**
 * pino's own destination on an fd we opened, in sync mode: cron jobs exit right after the last
 * line, and an async buffer would lose it. stderr is a non-blocking pipe when a parent reads it (a
 * CI runner, a supervisor): a full pipe answers EAGAIN and sonic-boom waits and writes the rest;
 * a reader that is gone (EPIPE, EBADF) or stuck for a second costs the line, never the run.
 */
function fdSink(fd: number): SonicBoom {
  let waits = 0;
  const sink = new SonicBoom({
    fd,
    sync: true,
    maxLength: MAX_PENDING_BYTES,
    retryEAGAIN: () => waits++ < MAX_EAGAIN_WAITS,
  });
  sink.on('write', () => {
    waits = 0;
  });
  // without a listener an 'error' event would throw out of the logging call into the run
  sink.on('error', () => {
    waits = 0;
  });
  return sink;
}

// O_NONBLOCK: opening a FIFO for writing waits for a reader, for good if none comes, and SIGTERM
// could not end the run; a full pipe is what the sink's EAGAIN wait already handles. O_NOFOLLOW: a root run
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
  const tail = new LogTail(options.tail?.maxLines, options.tail?.maxBytes);
  const format = human ? humanFormat : stderrIsJournal() ? withPriority : undefined;
  const stderr = options.destination ? undefined : fdSink(2);
  const console: DestinationStream = options.destination ?? {
    write(line: string) {
      (stderr as SonicBoom).write(format ? format(line) : line);
    },
  };

  let file: { fd: number; sink: SonicBoom } | undefined;
  if (options.file) {
    const fd = openLogFile(options.file);
    file = { fd, sink: fdSink(fd) };
  }
  const destination: DestinationStream = {
    write(raw: string) {
      const line = escapeLoneSurrogates(raw);
      tail.push(line);
      console.write(line);
      file?.sink.write(line);
    },
  };

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
    tail,
    close() {
      if (file === undefined) return;
      const { fd, sink } = file;
      // later lines go to stderr only: the fd number may soon name another file
      file = undefined;
      try {
        sink.flushSync();
      } catch {
        // a line the file could not take is lost; the run is not
      }
      try {
        closeSync(fd);
      } catch {
        // already closed
      }
    },
  };
}

/** A logger that drops everything, for library callers that pass none. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
