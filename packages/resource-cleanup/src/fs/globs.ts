import picomatch from 'picomatch';

export type EntryKind = 'file' | 'dir' | 'symlink' | 'other';

/** Tells which glob (if any) matches a relative, '/'-separated path of a given kind. */
export type GlobMatcher = (path: string, kind: EntryKind) => string | undefined;

/**
 * Globs over paths relative to the rule's `path` (picomatch, dotfiles included). A glob without
 * a '/' matches the name at any depth (`*.tar.gz`); one with a '/' matches the whole relative
 * path (`builds/**`). A trailing '/' matches directories only (`tmp-*\/`); without it, a glob
 * matches anything but directories. Returns the glob that matched, for the plan's reasons.
 */
export function compileGlobs(globs: readonly string[]): GlobMatcher {
  const compiled = globs.map((pattern) => {
    const directoriesOnly = pattern.endsWith('/');
    const glob = pattern.replace(/^\/+/, '').replace(/\/+$/, '');
    return {
      pattern,
      directoriesOnly,
      match: picomatch(glob, { dot: true, basename: !glob.includes('/') }),
    };
  });
  return (path, kind) => {
    for (const { pattern, directoriesOnly, match } of compiled) {
      if (directoriesOnly !== (kind === 'dir')) continue;
      if (match(path)) return pattern;
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
