import picomatch from 'picomatch';

/** One glob over relative paths, compiled. */
export interface PathGlob {
  /** As written, for reasons in plans and logs. */
  readonly pattern: string;
  /** Written with a trailing '/': meant for directories only. */
  readonly directoriesOnly: boolean;
  /** Tests a relative, '/'-separated path. */
  readonly test: (path: string) => boolean;
}

/**
 * The one glob syntax of every CLI (picomatch, dotfiles included): a glob without a '/' matches
 * the name at any depth (`*.log`); one with a '/' matches the whole relative path (`build/**`;
 * a leading '/' anchors nothing more); a trailing '/' marks it for directories only (`cache/`).
 * What a glob without the trailing '/' does with a directory is each caller's rule.
 *
 * Exported as `@tempered/core/glob`, not from the index, so a run that filters nothing never
 * loads picomatch.
 */
export function compilePathGlob(pattern: string): PathGlob {
  const directoriesOnly = pattern.endsWith('/');
  const glob = pattern.replace(/^\/+/, '').replace(/\/+$/, '');
  const match = picomatch(glob, { dot: true, basename: !glob.includes('/') });
  // one argument only: picomatch reads a second one as "return a result object"
  return { pattern, directoriesOnly, test: (path) => match(path) };
}

/** Plain globs over names (`team/*`, `app-{a,b}`), picomatch's defaults: true when any matches. */
export function compileNameGlobs(patterns: readonly string[]): (name: string) => boolean {
  const match = picomatch([...patterns]);
  return (name) => match(name);
}
