/**
 * libuv before 1.52 (Node 22, and 20) cuts every time it sets down to whole microseconds; from
 * 1.52 (Node 24) it keeps what the double carries.
 */
const CUTS_TO_MICROSECONDS = isBefore(process.versions.uv ?? '0', [1, 52]);

/**
 * A time for fs.utimes/futimes/lutimes, from epoch milliseconds, set as close to it as Node
 * allows. Node hands libuv a double of seconds, about 0.24 µs apart for today's dates, so an
 * mtime is kept to within a microsecond, not to the nanosecond (no fs call of Node takes
 * nanoseconds). Node replaces a negative
 * number by "now" (a pre-1970 mtime would be lost) but takes a numeric string as is: times
 * before 1970 go as strings.
 */
export function timeArg(ms: number, cutsToMicroseconds = CUTS_TO_MICROSECONDS): number | string {
  const second = Math.floor(ms / 1000);
  let ns = Math.round((ms - second * 1000) * 1e6);
  if (cutsToMicroseconds) {
    // the nearest microsecond, not the one below (the ms double is itself up to ~0.12 µs off),
    // aimed at its middle so the cut lands on it; libuv truncates toward zero before it borrows
    // a second for a negative time, so there the middle is below
    ns = Math.round(ns / 1000) * 1000 + (second < 0 ? -500 : 500);
  }
  const seconds = second + ns / 1e9;
  return seconds < 0 ? String(seconds) : seconds;
}

function isBefore(version: string, [major, minor]: [number, number]): boolean {
  const [a = 0, b = 0] = version.split('.').map(Number);
  return a < major || (a === major && b < minor);
}
