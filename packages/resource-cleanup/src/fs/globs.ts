import { compilePathGlob } from '@tempered/core/glob';

export type EntryKind = 'file' | 'dir' | 'symlink' | 'other';

/** Tells which glob (if any) matches a relative, '/'-separated path of a given kind. */
export type GlobMatcher = (path: string, kind: EntryKind) => string | undefined;

/**
 * Globs over paths relative to the rule's `path`, in core's syntax (`@tempered/core/glob`: no
 * '/' matches the name at any depth, `builds/**` the whole relative path). A trailing '/'
 * matches directories only (`tmp-*\/`); without it, a glob matches anything but directories.
 * Returns the glob that matched, for the plan's reasons.
 */
export function compileGlobs(globs: readonly string[]): GlobMatcher {
  const compiled = globs.map(compilePathGlob);
  return (path, kind) => {
    for (const { pattern, directoriesOnly, test } of compiled) {
      if (directoriesOnly !== (kind === 'dir')) continue;
      if (test(path)) return pattern;
    }
    return undefined;
  };
}

/** Protection globs: like compileGlobs, but a glob without a trailing '/' guards directories too. */
export function compileProtect(globs: readonly string[]): GlobMatcher {
  const files = compileGlobs(globs);
  const dirs = compileGlobs(globs.map((glob) => (glob.endsWith('/') ? glob : `${glob}/`)));
  return (path, kind) => (kind === 'dir' ? dirs(path, kind) : files(path, kind));
}
