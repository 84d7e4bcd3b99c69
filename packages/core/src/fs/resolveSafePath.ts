import { lstat, readlink, realpath } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { NotFoundError } from '../errors/index.js';
import { PathEscapeError } from './errors.js';

export interface ResolveSafePathOptions {
  /** Throw NotFoundError when the resolved path does not exist. Default false (targets to create). */
  mustExist?: boolean;
}

// as many hops as Linux follows before ELOOP
const MAX_SYMLINK_HOPS = 40;

/** True when `child` is `parent` or lies beneath it. Lexical only: no filesystem access. */
export function isInside(parent: string, child: string): boolean {
  const rel = relative(resolve(parent), resolve(child));
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
}

/**
 * Resolves an operator- or config-supplied `userPath` against `root` and returns the absolute
 * path, refusing anything that would land outside root: `..` escapes, absolute paths elsewhere,
 * NUL bytes, and symlinks (existing or dangling, at any depth) that lead out of realpath(root).
 * The returned path is lexical (under `root` as given), not the realpath.
 *
 * A check, not a sandbox: a symlink created after this returns can still redirect a later open.
 */
export async function resolveSafePath(
  root: string,
  userPath: string,
  options: ResolveSafePathOptions = {},
): Promise<string> {
  const rootAbs = resolve(root);
  const refuse = (why: string) =>
    new PathEscapeError(`path ${JSON.stringify(userPath)} ${why} ${JSON.stringify(rootAbs)}`, {
      path: userPath,
      root: rootAbs,
      hint: 'use a path inside the root, without ".." or symlinks that point out of it',
    });

  if (userPath.includes('\0') || root.includes('\0')) throw refuse('contains a NUL byte; refused under root');
  const candidate = resolve(rootAbs, userPath);
  if (!isInside(rootAbs, candidate)) throw refuse('resolves outside root');

  let realRoot: string;
  let realCandidate: string;
  try {
    realRoot = await realpathDeepest(rootAbs);
    realCandidate = await realpathDeepest(candidate);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ELOOP')
      throw refuse('runs into a symlink loop under root');
    throw error;
  }
  if (!isInside(realRoot, realCandidate)) throw refuse('leads through a symlink to outside root');

  if (options.mustExist && !(await exists(candidate))) {
    throw new NotFoundError(
      `path ${JSON.stringify(userPath)} does not exist under ${JSON.stringify(rootAbs)}`,
    );
  }
  return candidate;
}

/**
 * realpath() that also works for paths that do not exist yet: the deepest existing ancestor is
 * resolved and the missing tail appended. A dangling symlink is followed by hand, since creating
 * the path later would create its target, wherever that is.
 */
export async function realpathDeepest(path: string, hops = 0): Promise<string> {
  if (hops > MAX_SYMLINK_HOPS)
    throw Object.assign(new Error(`too many symlinks at ${path}`), { code: 'ELOOP' });
  try {
    return await realpath(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT' && code !== 'ENOTDIR') throw error;
  }
  const parent = dirname(path);
  if (parent === path) return path;
  const realParent = await realpathDeepest(parent, hops);
  const stats = await lstat(path).catch(() => undefined);
  if (stats?.isSymbolicLink()) {
    const target = await readlink(path);
    return realpathDeepest(resolve(realParent, target), hops + 1);
  }
  return join(realParent, basename(path));
}

async function exists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}
