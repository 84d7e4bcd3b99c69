import { stat } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { ArtifactError } from '../errors.js';
import { copyDirectory, scanDirectory } from './directory.js';
import { extractTarball, scanTarball, sha256File } from './tarball.js';

/** A checked artifact: plain data, printed in the plan and recorded in the release log. */
export interface ArtifactInfo {
  /** Absolute. */
  path: string;
  kind: 'directory' | 'tarball';
  /** `sha256:<hex>`: of the archive's bytes, or of a directory's manifest. */
  digest: string;
  /** Files and links (directories not counted). */
  entries: number;
}

const TARBALL = /\.(tar\.gz|tgz)$/i;

/**
 * Checks ARTIFACT completely, with no side effect: it exists, is a directory or a .tar.gz, is not
 * empty, and no member escapes the directory it will be unpacked in. Throws ArtifactError (exit 2).
 */
export async function inspectArtifact(input: string, cwd = process.cwd()): Promise<ArtifactInfo> {
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
    const scan = await scanDirectory(path);
    return { path, kind: 'directory', digest: `sha256:${scan.digest}`, entries: scan.entries };
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
  const scan = await scanTarball(path);
  return { path, kind: 'tarball', digest: `sha256:${await sha256File(path)}`, entries: scan.entries };
}

export interface UnpackOptions {
  /** Keep setuid, setgid and sticky bits (config `keepSpecialBits`); default: strip them. */
  keepSpecialBits?: boolean;
  /** Called for each entry whose special bits were stripped (its path in the artifact, its mode). */
  onStripped?: (member: string, mode: number) => void;
}

/**
 * Puts the artifact's content into `dest` (which must not exist yet). A root deploy must not
 * ship a setuid program that an archive or a build user put there: setuid, setgid and sticky
 * bits are stripped from every entry unless the config keeps them; owners are never taken from
 * the artifact (entries belong to the deploying user).
 */
export async function unpackArtifact(
  artifact: ArtifactInfo,
  dest: string,
  options: UnpackOptions = {},
): Promise<void> {
  if (artifact.kind === 'directory') {
    await copyDirectory(artifact.path, dest, options);
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
  await extractTarball(artifact.path, dest, options);
}

/** `sha256:0123456789ab…` -> `0123456789ab`: for ids and one-line output. */
export function shortDigest(digest: string, length = 12): string {
  return digest.replace(/^sha256:/, '').slice(0, length);
}
