import { rm, stat } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import { ArtifactError } from '../errors.js';
import { copyDirectory, scanDirectory } from './directory.js';
import { asDiskFull, ensureFreeSpace, type SpaceNeed, SpaceWatch } from './freeSpace.js';
import { type ArtifactLimits, DEFAULT_ARTIFACT_LIMITS } from './limits.js';
import { extractTarball, scanTarball, sha256File } from './tarball.js';
import type { UnpackOptions } from './unpackOptions.js';

export type { UnpackOptions };

/** A checked artifact: plain data, printed in the plan and recorded in the release log. */
export interface ArtifactInfo {
  /** Absolute. */
  path: string;
  kind: 'directory' | 'tarball';
  /** `sha256:<hex>`: of the archive's bytes, or of a directory's manifest. */
  digest: string;
  /** Files and links (directories not counted). */
  entries: number;
  /** What the release will take on disk, estimated: checked against the free space before unpacking. */
  need: SpaceNeed;
}

const TARBALL = /\.(tar\.gz|tgz)$/i;

/**
 * Checks ARTIFACT completely, with no side effect: it exists, is a directory or a .tar.gz, is not
 * empty, no member escapes the directory it will be unpacked in, and it stays within `limits`.
 * Throws ArtifactError (exit 2).
 */
export async function inspectArtifact(
  input: string,
  cwd = process.cwd(),
  limits: ArtifactLimits = DEFAULT_ARTIFACT_LIMITS,
): Promise<ArtifactInfo> {
  const path = resolve(cwd, input);
  let info: Awaited<ReturnType<typeof stat>>;
  try {
    info = await stat(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ArtifactError(
      code === 'ENOENT' ? `artifact ${input} does not exist` : `artifact ${input} cannot be read (${code})`,
      { artifact: path, hint: 'pass the build output: a directory or a .tar.gz file', cause: error },
    );
  }
  if (info.isDirectory()) {
    const scan = await scanDirectory(path, limits);
    return {
      path,
      kind: 'directory',
      digest: `sha256:${scan.digest}`,
      entries: scan.entries,
      need: scan.need,
    };
  }
  if (!info.isFile() || !TARBALL.test(basename(path))) {
    throw new ArtifactError(`artifact ${input} is neither a directory nor a .tar.gz file`, {
      artifact: path,
      hint: 'pass the build output directory, or an archive named *.tar.gz or *.tgz',
    });
  }
  if (info.size === 0) {
    throw new ArtifactError(`artifact ${input} is empty (0 bytes)`, {
      artifact: path,
      hint: 'check the build step that produced it',
    });
  }
  const scan = await scanTarball(path, limits);
  return {
    path,
    kind: 'tarball',
    digest: `sha256:${await sha256File(path)}`,
    entries: scan.entries,
    need: scan.need,
  };
}

/**
 * Puts the artifact's content into `dest` (which must not exist yet), after checking the free
 * space of its filesystem, and watching it while writing; on any failure `dest` is removed. A root deploy must not
 * ship a setuid program that an archive or a build user put there: setuid, setgid and sticky
 * bits are stripped from every entry unless the config keeps them; owners are never taken from
 * the artifact (entries belong to the deploying user).
 */
export async function unpackArtifact(
  artifact: ArtifactInfo,
  dest: string,
  options: UnpackOptions = {},
): Promise<void> {
  const limits = options.limits ?? DEFAULT_ARTIFACT_LIMITS;
  const parent = dirname(dest);
  const what = basename(artifact.path);
  try {
    await ensureFreeSpace(parent, artifact.need, limits.minFreeSpace, what);
    const watched = { ...options, limits, watch: new SpaceWatch(parent, limits.minFreeSpace, what) };
    if (artifact.kind === 'directory') {
      // copied from what is read, checked again as it goes, and compared with the plan's digest
      await copyDirectory(artifact.path, dest, watched, artifact.digest);
      return;
    }
    // the archive is read again: make sure it is still the one that was checked and planned
    const digest = `sha256:${await sha256File(artifact.path)}`;
    if (digest !== artifact.digest) {
      throw new ArtifactError(`artifact ${artifact.path} changed since it was planned`, {
        artifact: artifact.path,
        hint: 'run the deploy again once the artifact is final',
      });
    }
    await extractTarball(artifact.path, dest, watched);
  } catch (error) {
    // half a release is worse than none: it holds the space a full disk needs back, and looks
    // like a release to anyone listing the directory
    await rm(dest, { recursive: true, force: true });
    throw asDiskFull(error, parent, what);
  }
}

/** `sha256:0123456789ab…` -> `0123456789ab`: for ids and one-line output. */
export function shortDigest(digest: string, length = 12): string {
  return digest.replace(/^sha256:/, '').slice(0, length);
}
