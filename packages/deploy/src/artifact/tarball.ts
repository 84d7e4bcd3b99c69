import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import type { ReadEntry } from 'tar';
import { ArtifactError } from '../errors.js';
import { type ArtifactEntry, EntryChecker, type EntryKind } from './checkEntry.js';
import { finalMode } from './directory.js';
import type { UnpackOptions } from './inspectArtifact.js';

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
  entries: number;
}

/**
 * Reads the whole archive and checks every entry BEFORE anything is extracted: one bad member
 * refuses the artifact, so a target never holds half of a hostile archive.
 */
export async function scanTarball(file: string): Promise<TarballScan> {
  const checker = new EntryChecker();
  let refused: string | undefined;
  try {
    const { t: listTar } = await loadTar();
    await listTar({
      file,
      strict: true,
      onReadEntry: (entry) => {
        refused ??= describe(entry.path, checker.check(toArtifactEntry(entry)));
      },
    });
  } catch (error) {
    throw new ArtifactError(`artifact ${file} is not a readable .tar.gz: ${reason(error)}`, {
      artifact: file,
      hint: 'pass a directory or a gzip-compressed tar archive (tar czf app.tar.gz -C build .)',
      cause: error,
    });
  }
  if (refused === undefined) {
    const leak = await checker.finish();
    refused = describe(leak?.member ?? '', leak?.problem);
  }
  if (refused !== undefined) {
    throw new ArtifactError(`artifact ${file} refused: ${refused}`, {
      artifact: file,
      hint: 'rebuild the archive with relative member paths that stay inside it (tar czf app.tar.gz -C build .)',
    });
  }
  if (checker.contentEntries === 0) {
    throw new ArtifactError(`artifact ${file} is empty: no files in the archive`, {
      artifact: file,
      hint: 'check the build step that produced it',
    });
  }
  return { entries: checker.contentEntries };
}

/**
 * Extracts into `dest` (created). The filter re-checks every entry, a second line of defence in
 * case the archive changed since it was scanned; node-tar's own guards (no absolute paths, no
 * `..`, no writing through symlinks) stay on. Owners are not restored, even as root.
 */
export async function extractTarball(file: string, dest: string, options: UnpackOptions = {}): Promise<void> {
  await mkdir(dest, { recursive: true });
  const checker = new EntryChecker();
  let refused: string | undefined;
  const { x: extractTar } = await loadTar();
  await extractTar({
    file,
    cwd: dest,
    strict: true,
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
