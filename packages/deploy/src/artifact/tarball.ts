import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { formatBytes } from '@tempered/core';
import type { ReadEntry } from 'tar';
import { ArtifactError } from '../errors.js';
import { type ArtifactEntry, EntryChecker, type EntryKind } from './checkEntry.js';
import { diskBytes, type SpaceNeed } from './freeSpace.js';
import { type ArtifactLimits, DEFAULT_ARTIFACT_LIMITS } from './limits.js';
import { LimitError, pumpTarball } from './tarStream.js';
import { finalMode, type UnpackOptions } from './unpackOptions.js';

const KINDS: Partial<Record<string, EntryKind>> = {
  File: 'file',
  OldFile: 'file',
  ContiguousFile: 'file',
  Directory: 'directory',
  SymbolicLink: 'symlink',
  Link: 'hardlink',
};

export function toArtifactEntry(entry: Pick<ReadEntry, 'path' | 'type' | 'linkpath'>): ArtifactEntry {
  const kind = KINDS[entry.type] ?? 'other';
  return { path: entry.path, kind, linkpath: entry.linkpath, typeName: entry.type };
}

// most deploys ship a directory: tar is loaded the first time a tarball is met
const loadTar = () => import('tar');

export interface TarballScan {
  /** Files and links (directories not counted). */
  entries: number;
  /** The release on disk, estimated: see SpaceNeed. */
  need: SpaceNeed;
}

const REBUILD_HINT =
  'rebuild the archive with relative member paths that stay inside it (tar czf app.tar.gz -C build .)';
const LIMITS_HINT = 'if the artifact is genuine, raise the limit named in deploy.artifactLimits';

/**
 * Reads the whole archive, as a stream in bounded memory, and checks every entry BEFORE anything
 * is extracted: one bad member, a chain of links leading out, or a limit passed (unpacked size,
 * members, compression ratio) refuses the artifact, so a target never holds half of a hostile
 * archive. Stops reading at the first refusal.
 */
export async function scanTarball(file: string, limits: ArtifactLimits): Promise<TarballScan> {
  const checker = new EntryChecker();
  const need: SpaceNeed = { bytes: 0, entries: 0 };
  let declared = 0;
  let refused: string | undefined;
  let hint = REBUILD_HINT;
  const overLimit = (why: string) => {
    hint = LIMITS_HINT;
    refused = why;
  };
  const { Parser } = await loadTar();
  const parser = new Parser({
    strict: true,
    zstd: false,
    // it is fed the inflated tar stream: were it to inflate anything itself, abort at once
    maxDecompressionRatio: 0,
    onReadEntry: (entry) => {
      entry.resume();
      if (refused !== undefined) return;
      const checked = toArtifactEntry(entry);
      need.entries += 1;
      if (need.entries > limits.maxEntries) {
        overLimit(`it has more than ${limits.maxEntries} members (deploy.artifactLimits.maxEntries)`);
        return;
      }
      if (checked.kind === 'file') declared += entry.size;
      if (declared > limits.maxBytes) {
        overLimit(
          `member ${JSON.stringify(entry.path)} takes the unpacked size past ${formatBytes(limits.maxBytes)} (deploy.artifactLimits.maxBytes)`,
        );
        return;
      }
      refused = describe(entry.path, checker.check(checked));
      if (checked.kind !== 'other') need.bytes += diskBytes(checked.kind, entry.size);
    },
  });
  try {
    await pumpTarball(file, parser, { limits, stop: () => refused !== undefined });
  } catch (error) {
    if (error instanceof LimitError) overLimit(`it ${error.message}`);
    else if (refused === undefined) {
      throw new ArtifactError(`artifact ${file} is not a readable .tar.gz: ${reason(error)}`, {
        artifact: file,
        hint: 'pass a directory or a gzip-compressed tar archive (tar czf app.tar.gz -C build .)',
        cause: error,
      });
    }
  }
  if (refused === undefined) {
    const leak = await checker.finish();
    refused = describe(leak?.member ?? '', leak?.problem);
  }
  if (refused !== undefined) {
    throw new ArtifactError(`artifact ${file} refused: ${refused}`, { artifact: file, hint });
  }
  if (checker.contentEntries === 0) {
    throw new ArtifactError(`artifact ${file} is empty: no files in the archive`, {
      artifact: file,
      hint: 'check the build step that produced it',
    });
  }
  return { entries: checker.contentEntries, need };
}

/**
 * Extracts into `dest` (created), streamed in bounded memory within the same limits, with the
 * free space watched as it goes. The filter re-checks every entry, a second line of defence in
 * case the archive changed since it was scanned; node-tar's own guards (no absolute paths, no
 * `..`, no writing through symlinks) stay on. Owners are not restored, even as root. On failure
 * the caller removes `dest`: this returns only once node-tar has finished every write.
 */
export async function extractTarball(file: string, dest: string, options: UnpackOptions = {}): Promise<void> {
  await mkdir(dest, { recursive: true });
  const checker = new EntryChecker();
  let refused: string | undefined;
  const { Unpack } = await loadTar();
  const unpack = new Unpack({
    cwd: dest,
    strict: true,
    zstd: false,
    maxDecompressionRatio: 0,
    preservePaths: false,
    preserveOwner: false,
    filter: (path, entry) => {
      // after one refusal nothing more is written: the directory is discarded anyway
      if (refused !== undefined) return false;
      const problem = 'type' in entry ? checker.check(toArtifactEntry(entry as ReadEntry)) : undefined;
      refused = describe(path, problem);
      // node-tar creates the entry with the mode it carries when the filter lets it through
      if (problem === undefined && typeof entry.mode === 'number')
        entry.mode = finalMode(path, entry.mode, options);
      return problem === undefined;
    },
  });
  const watch = options.watch;
  try {
    await pumpTarball(file, unpack, {
      limits: options.limits ?? DEFAULT_ARTIFACT_LIMITS,
      stop: () => refused !== undefined,
      ...(watch ? { afterChunk: (bytes: number) => watch.wrote(bytes) } : {}),
    });
  } catch (error) {
    if (!(error instanceof LimitError)) throw error;
    refused = `it ${error.message}`;
  }
  if (refused === undefined) {
    const leak = await checker.finish();
    refused = describe(leak?.member ?? '', leak?.problem);
  }
  if (refused !== undefined) {
    throw new ArtifactError(`artifact ${file} changed since it was checked and is now refused: ${refused}`, {
      artifact: file,
    });
  }
}

export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

function describe(path: string, problem: string | undefined): string | undefined {
  return problem === undefined ? undefined : `member ${JSON.stringify(path)} ${problem}`;
}

function reason(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/^TAR_[A-Z_]+: /, '');
}
