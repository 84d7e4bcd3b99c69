/** Decides whether a scanned entry takes part in the sync; `path` is relative, '/'-separated. */
export type PathFilter = (path: string, isDirectory: boolean) => boolean;

export interface FilterPatterns {
  include?: readonly string[] | undefined;
  exclude?: readonly string[] | undefined;
}

/**
 * rsync-like filtering with core's globs (`@tempered/core/glob`: no '/' matches the name at any
 * depth, a trailing '/' directories only).
 *
 * `exclude` applies to every entry, and an excluded directory is not descended. `include`, when
 * given, applies to non-directories: a file must match one of them; directories are always
 * descended (so `--include '*.txt'` finds txt files at any depth). Entries left out on the
 * destination side are never deleted. Returns undefined when there is nothing to filter, so the
 * scanner's hot path stays a plain loop and the glob module is only loaded when needed.
 */
export async function createPathFilter(patterns: FilterPatterns): Promise<PathFilter | undefined> {
  const include = patterns.include ?? [];
  const exclude = patterns.exclude ?? [];
  if (include.length === 0 && exclude.length === 0) return undefined;
  const { compilePathGlob } = await import('@tempered/core/glob');
  const excluders = exclude.map(compilePathGlob);
  const includers = include.map(compilePathGlob);
  return (path, isDirectory) => {
    for (const { test, directoriesOnly } of excluders) {
      if ((!directoriesOnly || isDirectory) && test(path)) return false;
    }
    if (isDirectory || includers.length === 0) return true;
    return includers.some(({ test, directoriesOnly }) => !directoriesOnly && test(path));
  };
}
