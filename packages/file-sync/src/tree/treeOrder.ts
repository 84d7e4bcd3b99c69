/**
 * Order of paths in a scanned tree: parents before children, siblings by name (UTF-16 code
 * units, as Array.prototype.sort orders them), i.e. segment by segment.
 */
export function compareTreePaths(a: string, b: string): number {
  if (a === b) return 0;
  const length = Math.min(a.length, b.length);
  for (let k = 0; k < length; k++) {
    const ca = a.charCodeAt(k);
    const cb = b.charCodeAt(k);
    if (ca === cb) continue;
    if (ca === 47) return -1; // a's segment ends first: a shorter name sorts first
    if (cb === 47) return 1;
    return ca - cb;
  }
  return a.length - b.length; // a prefix (a parent, or a shorter name) sorts first
}
