/**
 * The reason of a failed filesystem call in a few words, without the absolute path Node puts in
 * its messages (the caller names the entry): "permission denied (EACCES)".
 */
export function describeFsError(error: unknown): string {
  const { code, message } = error as NodeJS.ErrnoException;
  if (typeof message !== 'string') return String(error);
  if (!code) return message;
  // Node's form: "EACCES: permission denied, open '/abs/path'"
  const match = /^[A-Z0-9_]+: ([^,]+)(?:,|$)/.exec(message);
  return match?.[1] ? `${match[1]} (${code})` : `${message} (${code})`;
}
