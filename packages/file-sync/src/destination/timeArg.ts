/**
 * A time for fs.utimes/futimes/lutimes, from epoch milliseconds. Node replaces a negative number
 * by "now" (a pre-1970 mtime would be lost), but takes a numeric string as is, so times before
 * 1970 go as strings. Node hands libuv a double of seconds: an mtime is kept to well under a
 * microsecond, not to the nanosecond (no fs call of Node takes nanoseconds).
 */
export function timeArg(ms: number): number | string {
  const seconds = ms / 1000;
  return seconds < 0 ? String(seconds) : seconds;
}
