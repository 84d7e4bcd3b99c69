/** Decides whether a scanned entry takes part in the sync; `path` is relative, '/'-separated. */
export type PathFilter = (path: string, isDirectory: boolean) => boolean;

export interface FilterPatterns {
  include?: readonly string[] | undefined;
  exclude?: readonly string[] | undefined;
}

type Matcher = (path: string) => boolean;

/**
 * Globs (picomatch, dotfiles included) over relative paths. A pattern without a '/' matches the
 * name at any depth (`*.log`); one with a '/' matches the whole path (`build/**`, a leading '/'
 * anchors nothing more); a trailing '/' matches directories only (`cache/`).
 *
 * `exclude` applies to every entry, and an excluded directory is not descended. `include`, when
 * given, applies to non-directories: a file must match one of them; directories are always
 * descended (so `--include '*.txt'` finds txt files at any depth). Entries left out on the
 * destination side are never deleted. Returns undefined when there is nothing to filter, so the
 * scanner's hot path stays a plain loop and picomatch is only loaded when needed.
 */
export async function createPathFilter(patterns: FilterPatterns): Promise<PathFilter | undefined> {
  const include = patterns.include ?? [];
  const exclude = patterns.exclude ?? [];
  if (include.length === 0 && exclude.length === 0) return undefined;
  const { default: picomatch } = await import('picomatch');
  const compile = (pattern: string): { match: Matcher; directoriesOnly: boolean } => {
    const directoriesOnly = pattern.endsWith('/');
    const glob = pattern.replace(/^\/+/, '').replace(/\/+$/, '');
    const match = picomatch(glob, { dot: true, basename: !glob.includes('/') });
    return { match, directoriesOnly };
  };
  const excluders = exclude.map(compile);
  const includers = include.map(compile);
  return (path, isDirectory) => {
    for (const { match, directoriesOnly } of excluders) {
      if ((!directoriesOnly || isDirectory) && match(path)) return false;
    }
    if (isDirectory || includers.length === 0) return true;
    return includers.some(({ match, directoriesOnly }) => !directoriesOnly && match(path));
  };
}
