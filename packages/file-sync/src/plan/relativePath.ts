import { PathEscapeError } from '@tempered/core';

/**
 * Every path in a plan is relative to its root, '/'-separated, with no empty, `.` or `..`
 * segment and no NUL: joined to the destination root it can only land inside it. A local scan
 * never yields anything else; a remote listing (a future destination) might, and is refused.
 */
export function assertRelativePath(path: string): void {
  if (path === '') return;
  if (isPlainRelative(path)) return;
  throw new PathEscapeError(`entry path ${JSON.stringify(path)} is not a plain relative path; refused`, {
    path,
    root: '.',
    hint: 'a listing returned a name with "..", "." or an empty segment; nothing was written',
  });
}

export function isPlainRelative(path: string): boolean {
  if (path.includes('\0')) return false;
  // the common case without splitting: no segment starts with '.', no '//', no '/' at an end
  if (
    path[0] !== '.' &&
    !path.includes('/.') &&
    !path.includes('//') &&
    path[0] !== '/' &&
    !path.endsWith('/')
  )
    return true;
  for (const segment of path.split('/')) {
    if (segment === '' || segment === '.' || segment === '..') return false;
  }
  return true;
}

/** The directory holding `path` ('' for entries at the root). */
export function parentOf(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash === -1 ? '' : path.slice(0, slash);
}

/** How many segments `path` has: 0 for the root (''), 1 for an entry at the root. */
export function depthOf(path: string): number {
  if (path === '') return 0;
  let depth = 1;
  for (let k = path.indexOf('/'); k !== -1; k = path.indexOf('/', k + 1)) depth++;
  return depth;
}
