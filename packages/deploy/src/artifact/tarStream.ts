import type { EventEmitter } from 'node:events';
import { createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { formatBytes } from '@tempered/core';
import { type ArtifactLimits, RATIO_GRACE_BYTES } from './limits.js';

/**
 * node-tar's Parser (listing) or Unpack (extracting), fed the UNCOMPRESSED tar stream: given the
 * file itself, node-tar reads it in 16 MiB pieces and inflates each one synchronously, so a
 * small archive of zeros became gigabytes of buffers at once (3.3 GB RSS) and the event loop
 * stopped while it did.
 */
export interface TarSink extends Pick<EventEmitter, 'on' | 'removeListener'> {
  write(chunk: Buffer): boolean;
  end(): unknown;
}

/** An artifact over one of its limits: the caller refuses it (exit 2). */
export class LimitError extends Error {
  override name = 'LimitError';
}

export interface PumpOptions {
  limits: ArtifactLimits;
  /** After each chunk the sink took; may throw to stop (free space ran out). */
  afterChunk?: (bytes: number) => Promise<void>;
  /** Checked after each chunk: true stops reading (the caller already refused the archive). */
  stop?: () => boolean;
}

/** Compressed bytes read at a time: small, so the ratio is judged on what was really read. */
const READ_CHUNK = 64 * 1024;
/**
 * Uncompressed bytes handed on at a time, and at most held by zlib: 1 MiB keeps memory flat and
 * scans 4x faster than 64 KiB (3 GiB of zeros: 4 s against 17 s, each chunk a round trip).
 */
const UNPACKED_CHUNK = 1024 * 1024;
/** A gzip stream starts so; inside a .tar.gz it would be inflated again, outside every limit. */
const GZIP_MAGIC = Buffer.from([0x1f, 0x8b]);
/** Waiting for the sink to finish its last writes, after a failure, before the caller cleans up. */
const SETTLE_MS = 30_000;

/**
 * Streams the .tar.gz `file` into `sink` in bounded memory: gzip is inflated by node's zlib
 * (off the main thread, chunk by chunk), and a chunk is handed on only once the sink has taken
 * the last one (node-tar's write() says when its entry is backed up). Stops at the first limit
 * passed: unpacked size, compression ratio. Resolves once the sink has closed (every file it
 * writes is complete); rejects with the first error, after the sink has settled.
 */
export async function pumpTarball(file: string, sink: TarSink, options: PumpOptions): Promise<void> {
  const { limits } = options;
  const input = createReadStream(file, { highWaterMark: READ_CHUNK });
  const gunzip = createGunzip({ chunkSize: UNPACKED_CHUNK });
  input.on('error', (error) => gunzip.destroy(error));
  input.pipe(gunzip);

  let sinkError: unknown;
  let wake: (() => void) | undefined;
  const onError = (error: unknown) => {
    sinkError ??= error;
    wake?.();
  };
  const closed = new Promise<void>((resolve) => {
    sink.on('close', () => {
      resolve();
      wake?.();
    });
  });
  sink.on('error', onError);
  const drained = () =>
    new Promise<void>((resolve) => {
      const done = () => {
        sink.removeListener('drain', done);
        wake = undefined;
        resolve();
      };
      wake = done;
      sink.on('drain', done);
    });

  let unpacked = 0;
  let failure: unknown;
  // the first bytes are held back until there are two to test: a first inflated chunk can be a
  // single byte (a long gzip comment fills the first read), and node-tar sniffs the first two
  // bytes it is given, whatever the chunks, to decide whether to inflate them itself
  let head: Buffer | undefined = Buffer.alloc(0);
  const take = (chunk: Buffer): Buffer | undefined => {
    if (head === undefined) return chunk;
    head = Buffer.concat([head, chunk]);
    if (head.length < GZIP_MAGIC.length) return undefined;
    if (head.subarray(0, GZIP_MAGIC.length).equals(GZIP_MAGIC)) {
      throw new LimitError('holds a second compressed stream inside the gzip one, not a tar archive');
    }
    const first = head;
    head = undefined;
    return first;
  };
  try {
    for await (const inflated of gunzip as AsyncIterable<Buffer>) {
      const chunk = take(inflated);
      if (chunk === undefined) continue;
      unpacked += chunk.length;
      if (unpacked > limits.maxBytes) {
        throw new LimitError(
          `unpacks to more than ${formatBytes(limits.maxBytes)} (deploy.artifactLimits.maxBytes)`,
        );
      }
      const ratio = unpacked / Math.max(1, input.bytesRead);
      if (unpacked > RATIO_GRACE_BYTES && ratio > limits.maxRatio) {
        throw new LimitError(
          `unpacks to over ${limits.maxRatio} times its compressed size (${formatBytes(unpacked)} from ${formatBytes(input.bytesRead)} so far; deploy.artifactLimits.maxRatio)`,
        );
      }
      if (!sink.write(chunk) && sinkError === undefined) await drained();
      if (sinkError !== undefined) break;
      await options.afterChunk?.(chunk.length);
      if (options.stop?.() === true) break;
    }
    // a whole tar stream of one byte: not a gzip, and not a tar either (node-tar says so)
    if (head !== undefined && head.length > 0) sink.write(head);
  } catch (error) {
    failure = error;
  } finally {
    input.destroy();
    gunzip.destroy();
  }
  // ended early, node-tar reports a truncated archive: that is not the failure to report
  const early = failure !== undefined || sinkError !== undefined || options.stop?.() === true;
  if (early) sink.removeListener('error', onError);
  sink.on('error', () => {});
  sink.end();
  await settle(closed);
  if (failure !== undefined) throw failure;
  if (sinkError !== undefined) throw sinkError;
}

/** The sink's close, or a timeout: a sink that never closes must not hang the run. */
async function settle(closed: Promise<void>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    closed,
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, SETTLE_MS);
    }),
  ]);
  clearTimeout(timer);
}
