import { createHash } from 'node:crypto';
import { constants } from 'node:fs';
import { chmod, copyFile, lstat, mkdir, readdir, readlink, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { ArtifactError } from '../errors.js';
import { type ArtifactEntry, EntryChecker, type EntryKind } from './checkEntry.js';
import { diskBytes, type SpaceNeed } from './freeSpace.js';
import type { UnpackOptions } from './inspectArtifact.js';
import { type ArtifactLimits, DEFAULT_ARTIFACT_LIMITS, formatBytes } from './limits.js';
import { sha256File } from './tarball.js';

export interface DirectoryScan {
  /** `sha256` over a manifest of every entry: path, kind, executable bit, content or link target. */
  digest: string;
  entries: number;
  /** The copy on disk, estimated: see SpaceNeed. */
  need: SpaceNeed;
}

interface WalkedEntry extends ArtifactEntry {
  /** Relative, `/`-separated. */
  rel: string;
  mode: number;
  size: number;
}

async function* walk(root: string, rel = ''): AsyncGenerator<WalkedEntry> {
  const names = (await readdir(rel === '' ? root : join(root, rel))).sort();
  for (const name of names) {
    const childRel = rel === '' ? name : `${rel}/${name}`;
    const info = await lstat(join(root, childRel));
    const kind: EntryKind = info.isSymbolicLink()
      ? 'symlink'
      : info.isDirectory()
        ? 'directory'
        : info.isFile()
          ? 'file'
          : 'other';
    const linkpath = kind === 'symlink' ? await readlink(join(root, childRel)) : undefined;
    yield {
      rel: childRel,
      path: childRel,
      kind,
      linkpath,
      mode: info.mode & 0o7777,
      size: info.size,
      typeName: kind === 'other' ? 'special file (socket, FIFO or device)' : undefined,
    };
    if (kind === 'directory') yield* walk(root, childRel);
  }
}

/**
 * Checks a directory artifact with the same rules as an archive (no symlink leading out of it,
 * no devices, within the size and entry limits) and computes its digest, stable across copies:
 * modes other than the executable bit and timestamps do not count.
 */
export async function scanDirectory(
  root: string,
  limits: ArtifactLimits = DEFAULT_ARTIFACT_LIMITS,
): Promise<DirectoryScan> {
  const checker = new EntryChecker();
  const manifest = createHash('sha256');
  const need: SpaceNeed = { bytes: 0, entries: 0 };
  let bytes = 0;
  const refuse = (why: string) =>
    new ArtifactError(`artifact ${root} refused: ${why}`, {
      artifact: root,
      hint: 'symlinks in an artifact must point inside it; remove special files; deploy.artifactLimits sets the size limits',
    });
  for await (const entry of walk(root)) {
    need.entries += 1;
    if (need.entries > limits.maxEntries) {
      throw refuse(`it has more than ${limits.maxEntries} entries (deploy.artifactLimits.maxEntries)`);
    }
    if (entry.kind === 'file') bytes += entry.size;
    if (bytes > limits.maxBytes) {
      throw refuse(
        `${JSON.stringify(entry.rel)} takes its size past ${formatBytes(limits.maxBytes)} (deploy.artifactLimits.maxBytes)`,
      );
    }
    const problem = checker.check(entry);
    if (problem !== undefined) throw refuse(`${JSON.stringify(entry.rel)} ${problem}`);
    if (entry.kind !== 'other') need.bytes += diskBytes(entry.kind, entry.size);
    const exec = entry.mode & 0o111 ? 'x' : '-';
    const content =
      entry.kind === 'file'
        ? await sha256File(join(root, entry.rel))
        : entry.kind === 'symlink'
          ? (entry.linkpath ?? '')
          : '';
    manifest.update(`${entry.kind}\0${entry.rel}\0${exec}\0${content}\n`);
  }
  const leak = await checker.finish();
  if (leak !== undefined) throw refuse(`${JSON.stringify(leak.member)} ${leak.problem}`);
  if (checker.contentEntries === 0) {
    throw new ArtifactError(`artifact ${root} is empty: no files in the directory`, {
      artifact: root,
      hint: 'check the build step that produced it',
    });
  }
  return { digest: manifest.digest('hex'), entries: checker.contentEntries, need };
}

/**
 * Copies a checked directory: files (reflinked where the filesystem can), directories, symlinks
 * verbatim, modes kept; the free space watched as it goes.
 */
export async function copyDirectory(
  source: string,
  dest: string,
  options: UnpackOptions = {},
): Promise<void> {
  await mkdir(dest, { recursive: true });
  const dirs: { path: string; mode: number }[] = [];
  for await (const entry of walk(source)) {
    const from = join(source, entry.rel);
    const to = join(dest, entry.rel);
    const mode = finalMode(entry.rel, entry.mode, options);
    if (entry.kind === 'directory') {
      await mkdir(to, { mode: 0o700 });
      dirs.push({ path: to, mode });
    } else if (entry.kind === 'symlink') {
      await symlink(entry.linkpath ?? '', to);
    } else if (entry.kind === 'file') {
      await copyFile(from, to, constants.COPYFILE_FICLONE | constants.COPYFILE_EXCL);
      await chmod(to, mode);
      await options.watch?.wrote(entry.size);
    } else {
      throw new ArtifactError(
        `artifact ${source} changed while it was copied: ${entry.rel} is a special file`,
        {
          artifact: source,
        },
      );
    }
  }
  // directory modes last: a read-only directory must not block the files copied into it
  for (const dir of dirs.reverse()) await chmod(dir.path, dir.mode);
}

const SPECIAL_BITS = 0o7000;

/** An entry's mode in the release: its own, without setuid, setgid and sticky unless kept. */
export function finalMode(member: string, mode: number, options: UnpackOptions): number {
  if ((mode & SPECIAL_BITS) === 0 || options.keepSpecialBits === true) return mode & 0o7777;
  options.onStripped?.(member, mode & 0o7777);
  return mode & 0o777;
}
