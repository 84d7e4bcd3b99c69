import { randomBytes } from 'node:crypto';

/** The marker in every temp file name file-sync writes: `.<name>.file-sync-tmp-<pid>-<12 hex>`. */
export const TEMP_MARKER = 'file-sync-tmp';

// room for the marker, pid and random part under the usual 255-byte name limit
const MAX_BASE_BYTES = 200;

/**
 * Temp names the scanner must never take for content: file-sync's own, and core's atomic writes
 * (`atomicSymlink`: `.<name>.tmp-<pid>-<12 hex>`). The `s` flag: a name may hold a newline.
 */
const TEMP_NAME = new RegExp(`^\\..*\\.(?:${TEMP_MARKER}|tmp)-(\\d+)-[0-9a-f]{12}$`, 's');

/** The pid that wrote a temp file of ours, or undefined when `name` is not one. */
export function tempFileOwner(name: string): number | undefined {
  const match = TEMP_NAME.exec(name);
  return match ? Number(match[1]) : undefined;
}

// a random 48-bit start and a counter: unique within the run, unguessable from outside, and
// without a call into the CSPRNG per file (which costs more than the copy of a small file)
let sequence = randomBytes(6).readUIntBE(0, 6);

/** A fresh temp name (not path) beside `name`, in the same directory so the rename is atomic. */
export function tempNameFor(name: string, pid = process.pid): string {
  sequence = (sequence + 1) % 0x1000000000000;
  return `.${truncateUtf8(name, MAX_BASE_BYTES)}.${TEMP_MARKER}-${pid}-${sequence.toString(16).padStart(12, '0')}`;
}

/** The longest prefix of `text` that fits in `maxBytes` of UTF-8, never splitting a character. */
export function truncateUtf8(text: string, maxBytes: number): string {
  if (text.length * 3 <= maxBytes || Buffer.byteLength(text) <= maxBytes) return text;
  let bytes = 0;
  let end = 0;
  for (const char of text) {
    const size = Buffer.byteLength(char);
    if (bytes + size > maxBytes) break;
    bytes += size;
    end += char.length;
  }
  return text.slice(0, end);
}
