/** A relative path ('' is the root) under an absolute root. */
export function joinRoot(root: string, path: string): string {
  if (path === '') return root;
  return root.endsWith('/') ? `${root}${path}` : `${root}/${path}`;
}
