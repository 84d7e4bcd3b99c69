import { createHash } from 'node:crypto';
import { constants, existsSync } from 'node:fs';
import { chmod, type FileHandle, lstat, mkdir, open, readdir, readlink, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { formatBytes } from '@tempered/core';
import { ArtifactError } from '../errors.js';
import { type ArtifactEntry, EntryChecker, type EntryKind } from './checkEntry.js';
import { diskBytes, type SpaceNeed } from './freeSpace.js';
import { type ArtifactLimits, DEFAULT_ARTIFACT_LIMITS } from './limits.js';
import { finalMode, type UnpackOptions } from './unpackOptions.js';

export interface DirectoryScan {
  /** `sha256` over a manifest of every entry: path, kind, executable bit, content or link target. */
  digest: string;
  entries: number;
  /** The copy on disk, estimated: see SpaceNeed. */
  need: SpaceNeed;
}

const { O_CREAT, O_DIRECTORY, O_EXCL, O_NOFOLLOW, O_NONBLOCK, O_RDONLY, O_WRONLY } = constants;

/** Bytes read (and written) at a time when a file is hashed or copied. */
const COPY_CHUNK = 1024 * 1024;

/**
 * Linux: `/proc/self/fd/N/name` is `name` looked up in the directory open as fd N, wherever that
 * directory is now: openat(2) for node. A build user who owns the artifact can rename its
 * directories or replace them with symlinks while it is read; looked up through the open
 * directory, a name is always one of the directory that was checked.
 */
const FD_PATHS = process.platform === 'linux' && existsSync('/proc/self/fd');

/** A directory of the artifact being read: open (Linux) or by path. */
interface Dir {
  handle: FileHandle;
  path: string;
}

const inDir = (dir: Dir, name?: string): string => {
  const base = FD_PATHS ? `/proc/self/fd/${dir.handle.fd}` : dir.path;
  return name === undefined ? base : join(base, name);
};

interface WalkedEntry extends ArtifactEntry {
  /** Relative, `/`-separated. */
  rel: string;
  /** Where to open it: through its open parent directory. */
  at: string;
  mode: number;
  size: number;
  dev: number;
  ino: number;
}

/** Something that is no longer what the walk saw a moment before: refused, naming the member. */
class Changed extends Error {
  constructor(
    readonly member: string,
    readonly problem: string,
  ) {
    super(`${JSON.stringify(member)} ${problem}`);
  }
}

const errno = (error: unknown) => (error as NodeJS.ErrnoException).code;

/** Opens a directory of the artifact without following a symlink, and makes sure it is the one lstat saw. */
async function openDirectory(
  at: string,
  rel: string,
  seen?: { dev: number; ino: number },
): Promise<FileHandle> {
  let handle: FileHandle;
  try {
    handle = await open(at, O_RDONLY | O_DIRECTORY | (rel === '' ? 0 : O_NOFOLLOW));
  } catch (error) {
    const code = errno(error);
    if (rel !== '' && (code === 'ELOOP' || code === 'ENOTDIR' || code === 'ENOENT')) {
      throw new Changed(rel, 'was replaced while the artifact was read');
    }
    throw error;
  }
  if (seen !== undefined) {
    const info = await handle.stat();
    if (!info.isDirectory() || info.dev !== seen.dev || info.ino !== seen.ino) {
      await handle.close();
      throw new Changed(rel, 'was replaced while the artifact was read');
    }
  }
  return handle;
}

async function* walk(dir: Dir, rel = ''): AsyncGenerator<WalkedEntry> {
  const names = (await readdir(inDir(dir))).sort();
  for (const name of names) {
    const childRel = rel === '' ? name : `${rel}/${name}`;
    const at = inDir(dir, name);
    let info: Awaited<ReturnType<typeof lstat>>;
    let linkpath: string | undefined;
    try {
      info = await lstat(at);
      linkpath = info.isSymbolicLink() ? await readlink(at) : undefined;
    } catch (error) {
      if (errno(error) === 'ENOENT' || errno(error) === 'EINVAL') {
        throw new Changed(childRel, 'was removed or replaced while the artifact was read');
      }
      throw error;
    }
    const kind: EntryKind = info.isSymbolicLink()
      ? 'symlink'
      : info.isDirectory()
        ? 'directory'
        : info.isFile()
          ? 'file'
          : 'other';
    yield {
      rel: childRel,
      path: childRel,
      at,
      kind,
      linkpath,
      mode: info.mode & 0o7777,
      size: info.size,
      dev: info.dev,
      ino: info.ino,
      typeName: kind === 'other' ? 'special file (socket, FIFO or device)' : undefined,
    };
    if (kind === 'directory') {
      const handle = await openDirectory(at, childRel, info);
      try {
        yield* walk({ handle, path: join(dir.path, name) }, childRel);
      } finally {
        await handle.close();
      }
    }
  }
}

/**
 * Opens a file of the artifact for reading: never through a symlink (O_NOFOLLOW; a FIFO put in
 * its place does not block, O_NONBLOCK), and only if it is still the regular file lstat saw.
 */
async function openFile(entry: WalkedEntry): Promise<FileHandle> {
  let handle: FileHandle;
  try {
    handle = await open(entry.at, O_RDONLY | O_NOFOLLOW | O_NONBLOCK);
  } catch (error) {
    const code = errno(error);
    if (code === 'ELOOP' || code === 'ENOENT' || code === 'ENXIO') {
      throw new Changed(entry.rel, 'was replaced while the artifact was read');
    }
    throw error;
  }
  const info = await handle.stat();
  if (!info.isFile() || info.dev !== entry.dev || info.ino !== entry.ino || info.size !== entry.size) {
    await handle.close();
    throw new Changed(entry.rel, 'was replaced while the artifact was read');
  }
  return handle;
}

/**
 * Reads the open file to its end, in bounded chunks, into `hash` (and `output`). The content is
 * the file's as open, never re-read through a path. Refuses a file that grew or shrank meanwhile.
 */
async function pour(
  entry: WalkedEntry,
  input: FileHandle,
  hash: ReturnType<typeof createHash>,
  output?: FileHandle,
  wrote?: (bytes: number) => Promise<void>,
): Promise<void> {
  const buffer = Buffer.allocUnsafe(Math.max(1, Math.min(COPY_CHUNK, entry.size + 1)));
  let total = 0;
  for (;;) {
    const { bytesRead } = await input.read(buffer, 0, buffer.length, total);
    if (bytesRead === 0) break;
    total += bytesRead;
    if (total > entry.size) break;
    const chunk = buffer.subarray(0, bytesRead);
    hash.update(chunk);
    if (output !== undefined) {
      for (let done = 0; done < chunk.length; ) {
        done += (await output.write(chunk, done, chunk.length - done)).bytesWritten;
      }
      await wrote?.(bytesRead);
    }
  }
  if (total !== entry.size) throw new Changed(entry.rel, 'changed size while the artifact was read');
}

/**
 * What each directory scan of this process saw, entry by entry (8 bytes of each manifest line's
 * hash), by path and digest: a copy that differs from its plan names the first member that does.
 */
const FINGERPRINT_BYTES = 8;
const scanned = new Map<string, Buffer>();
const SCANS_KEPT = 4;

interface Walked extends DirectoryScan {
  fingerprints: Buffer;
}

/**
 * The one walk of a directory artifact, for the scan and for the copy alike: every entry checked
 * with the same rules as an archive's (no symlink leading out of it, no devices, within the size
 * and entry limits), files read through a descriptor opened without following links, and the
 * manifest digest computed from what was read. `visit` does the entry's work (hash, or copy) and
 * returns what the manifest holds for it: a file's content digest, a link's target.
 */
async function walkChecked(
  root: string,
  limits: ArtifactLimits,
  refuse: (why: string) => Error,
  visit: (entry: WalkedEntry) => Promise<string>,
  compare?: (index: number, fingerprint: Buffer, member: string) => void,
): Promise<Walked> {
  const checker = new EntryChecker();
  const manifest = createHash('sha256');
  const prints: Buffer[] = [];
  const need: SpaceNeed = { bytes: 0, entries: 0 };
  let bytes = 0;
  const handle = await openDirectory(root, '');
  try {
    for await (const entry of walk({ handle, path: root })) {
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
      const content = await visit(entry);
      const line = `${entry.kind}\0${entry.rel}\0${exec}\0${content}\n`;
      manifest.update(line);
      const print = createHash('sha256').update(line).digest().subarray(0, FINGERPRINT_BYTES);
      compare?.(prints.length, print, entry.rel);
      prints.push(print);
    }
  } catch (error) {
    if (error instanceof Changed) throw refuse(error.message);
    throw error;
  } finally {
    await handle.close();
  }
  const leak = await checker.finish();
  if (leak !== undefined) throw refuse(`${JSON.stringify(leak.member)} ${leak.problem}`);
  if (checker.contentEntries === 0) {
    throw new ArtifactError(`artifact ${root} is empty: no files in the directory`, {
      artifact: root,
      hint: 'check the build step that produced it',
    });
  }
  return {
    digest: manifest.digest('hex'),
    entries: checker.contentEntries,
    need,
    fingerprints: Buffer.concat(prints),
  };
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
  const refuse = (why: string) =>
    new ArtifactError(`artifact ${root} refused: ${why}`, {
      artifact: root,
      hint: 'symlinks in an artifact must point inside it; remove special files; deploy.artifactLimits sets the size limits',
    });
  const walked = await walkChecked(root, limits, refuse, async (entry) => {
    if (entry.kind === 'symlink') return entry.linkpath ?? '';
    if (entry.kind !== 'file') return '';
    const hash = createHash('sha256');
    const input = await openFile(entry);
    try {
      await pour(entry, input, hash);
    } finally {
      await input.close();
    }
    return hash.digest('hex');
  });
  const key = `${root}\0${walked.digest}`;
  scanned.delete(key);
  scanned.set(key, walked.fingerprints);
  while (scanned.size > SCANS_KEPT) scanned.delete(scanned.keys().next().value as string);
  return { digest: walked.digest, entries: walked.entries, need: walked.need };
}

/**
 * Copies a checked directory, checking it again as it goes, from what is read and never through a
 * path that can be swapped meanwhile (the build user who owns it can): every entry passes the
 * scan's rules again (the link chains too, once the last is in), each file is read through a
 * descriptor opened without following links and is still the regular file just listed, and the
 * manifest of what was copied must be the `planned` digest (`sha256:<hex>` of scanDirectory), the
 * first member that differs named. Files are created 0600 and exclusively, their final mode
 * (special bits stripped unless kept) set on the descriptor once the content is in; `dest` stays
 * 0700 until the copy is complete. Symlinks are copied verbatim, directories with their modes;
 * the free space watched as it goes. On a refusal (ArtifactError) the caller removes `dest`.
 */
export async function copyDirectory(
  source: string,
  dest: string,
  options: UnpackOptions = {},
  planned?: string,
): Promise<void> {
  await mkdir(dest, { recursive: true });
  const destMode = (await lstat(dest)).mode & 0o7777;
  await chmod(dest, 0o700);
  const refuse = (why: string) =>
    new ArtifactError(`artifact ${source} changed since it was checked and is now refused: ${why}`, {
      artifact: source,
      hint: 'run the deploy again once the artifact is final',
    });
  const expected = planned?.replace(/^sha256:/, '');
  const prints = expected === undefined ? undefined : scanned.get(`${source}\0${expected}`);
  const compare = (index: number, print: Buffer, member: string) => {
    const at = index * FINGERPRINT_BYTES;
    if (prints !== undefined && !print.equals(prints.subarray(at, at + FINGERPRINT_BYTES))) {
      throw refuse(`${JSON.stringify(member)} differs from the artifact that was planned`);
    }
  };
  const dirs: { path: string; mode: number }[] = [];
  const watch = options.watch;
  const wrote = watch ? (bytes: number) => watch.wrote(bytes) : undefined;
  const copy = async (entry: WalkedEntry): Promise<string> => {
    const to = join(dest, entry.rel);
    if (entry.kind === 'directory') {
      await mkdir(to, { mode: 0o700 });
      dirs.push({ path: to, mode: finalMode(entry.rel, entry.mode, options) });
      return '';
    }
    if (entry.kind === 'symlink') {
      await symlink(entry.linkpath ?? '', to);
      return entry.linkpath ?? '';
    }
    const input = await openFile(entry);
    try {
      // no special bit, and no one else, ever on a half-written file
      const output = await open(to, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0o600);
      try {
        const hash = createHash('sha256');
        await pour(entry, input, hash, output, wrote);
        await output.chmod(finalMode(entry.rel, entry.mode, options));
        return hash.digest('hex');
      } finally {
        await output.close();
      }
    } finally {
      await input.close();
    }
  };
  const walked = await walkChecked(source, options.limits ?? DEFAULT_ARTIFACT_LIMITS, refuse, copy, compare);
  if (expected !== undefined && walked.digest !== expected) {
    throw refuse(
      prints !== undefined && walked.fingerprints.length < prints.length
        ? 'members were removed since it was planned'
        : 'its content differs from the artifact that was planned',
    );
  }
  // directory modes last: a read-only directory must not block the files copied into it
  for (const dir of dirs.reverse()) await chmod(dir.path, dir.mode);
  await chmod(dest, destMode);
}
