import { posix } from 'node:path';
import type { EntryKind } from './entryKind.js';
import { type LinkProblem, ReleaseTree } from './releaseTree.js';

export type { EntryKind };

export interface ArtifactEntry {
  /** As stored in the archive, e.g. `./bin/app`. */
  path: string;
  kind: EntryKind;
  /** Symlink target (as stored) or hard-link target (archive path). */
  linkpath?: string | undefined;
  /** For `other`: the archive's type name, e.g. CharacterDevice. */
  typeName?: string | undefined;
}

/**
 * Remembers the symlinks seen so far: an entry written *through* one (`link -> /etc`, then
 * `link/passwd`) lands wherever the link points, so it is refused like a `..` path. And builds
 * the release's tree, so that once every entry is in, `finish` can resolve each symlink through
 * the others: links that each stay inside can still lead out together (`a -> b/..`, `b -> ../..`).
 */
export class EntryChecker {
  readonly #symlinks = new Set<string>();
  readonly #tree = new ReleaseTree();
  #count = 0;

  /** Entries that are not directories (files, links): an artifact of only directories is empty. */
  get contentEntries(): number {
    return this.#count;
  }

  /** Returns why the entry is refused, or undefined when it is safe. Pure apart from the memory of symlinks. */
  check(entry: ArtifactEntry): string | undefined {
    const problem = checkEntry(entry, this.#symlinks);
    if (problem !== undefined) return problem;
    const normalized = normalizeEntryPath(entry.path);
    if (entry.kind !== 'other') {
      const misplaced = this.#tree.add(entry.path, normalized, entry.kind, entry.linkpath);
      if (misplaced !== undefined) return misplaced;
    }
    if (entry.kind === 'symlink') this.#symlinks.add(normalized);
    if (entry.kind !== 'directory' && normalized !== '') this.#count += 1;
    return undefined;
  }

  /** After the last entry: the first symlink whose chain of links leads out or loops, if any. */
  finish(): Promise<LinkProblem | undefined> {
    return this.#tree.firstEscape();
  }
}

/** `./a//b/` -> `a/b`; `.` and `./` -> `` (the root). Backslashes are not separators in tar. */
export function normalizeEntryPath(path: string): string {
  const normalized = posix.normalize(path.replace(/\/+$/, '') || '.');
  return normalized === '.' ? '' : normalized.replace(/^\.\//, '');
}

/** Longest file name Linux filesystems take (NAME_MAX), in bytes. */
const NAME_MAX_BYTES = 255;
/** Longest symlink text symlink(2) takes (PATH_MAX less the NUL); also bounds the work of resolving one. */
const LINK_MAX_BYTES = 4095;

function isAbsoluteLike(path: string): boolean {
  // a Windows drive letter or UNC prefix escapes just as well on a host that honours it
  return path.startsWith('/') || /^[A-Za-z]:/.test(path) || path.startsWith('\\\\');
}

function hasDotDot(path: string): boolean {
  return path.split(/[/\\]/).includes('..');
}

/**
 * Why `entry` would escape the release directory, or undefined: absolute paths, `..` segments,
 * NUL bytes, devices and FIFOs, symlinks pointing out (absolute, or `..` past the root), hard
 * links to outside, and entries below a symlink of the same archive; and names no filesystem
 * takes (a segment over 255 bytes), which are bad input, not an I/O failure of the target.
 */
export function checkEntry(
  entry: ArtifactEntry,
  symlinks: ReadonlySet<string> = new Set(),
): string | undefined {
  const { path } = entry;
  if (path.includes('\0')) return 'has a NUL byte in its path';
  if (isAbsoluteLike(path)) return 'has an absolute path';
  if (hasDotDot(path)) return 'has a ".." path segment';
  if (entry.kind === 'other')
    return `is a ${entry.typeName ?? 'special file'}, not a file, directory or link`;
  const normalized = normalizeEntryPath(path);
  const parts = normalized === '' ? [] : normalized.split('/');
  const long = parts.find((part) => Buffer.byteLength(part) > NAME_MAX_BYTES);
  if (long !== undefined) {
    return `has a name of ${Buffer.byteLength(long)} bytes, over the ${NAME_MAX_BYTES} a filesystem allows`;
  }
  for (let i = 1; i < parts.length; i++) {
    const prefix = parts.slice(0, i).join('/');
    if (symlinks.has(prefix)) return `lies below the symlink "${prefix}" of the same artifact`;
  }
  if (entry.kind === 'symlink' || entry.kind === 'hardlink') {
    const link = entry.linkpath ?? '';
    if (link === '') return `is a ${entry.kind} without a target`;
    if (link.includes('\0')) return `is a ${entry.kind} whose target has a NUL byte`;
    if (Buffer.byteLength(link) > LINK_MAX_BYTES) {
      return `is a ${entry.kind} whose target has ${Buffer.byteLength(link)} bytes, over the ${LINK_MAX_BYTES} a link holds`;
    }
    if (isAbsoluteLike(link)) return `is a ${entry.kind} to an absolute path (${link})`;
    // a symlink resolves from its own directory; a hard link names another archive member
    const base = entry.kind === 'symlink' ? posix.dirname(normalized) : '.';
    const resolved = posix.normalize(posix.join(base, link));
    if (resolved === '..' || resolved.startsWith('../')) {
      return `is a ${entry.kind} pointing outside the release (${link})`;
    }
    if (entry.kind === 'hardlink' && hasDotDot(link)) return `is a hard link with ".." (${link})`;
  }
  return undefined;
}
