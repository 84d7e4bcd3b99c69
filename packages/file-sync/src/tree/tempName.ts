import { randomBytes } from 'node:crypto';
import { encodeName } from './fsName.js';

/**
 * Temp files are named `.<name>.fstmp-<tag>-<n>`: `<tag>` is 16 random hex digits drawn once per
 * run and recorded in the target's journal before the run's first temp file exists. A name is
 * only ever treated as a temp file (never content, removed by a later run) when its tag is one
 * that an interrupted run recorded: a user's own file that merely looks like a temp name is
 * content like any other, copied and never removed without --delete.
 */
const MARKER = '.fstmp-';
const TAG = /^[0-9a-f]{16}$/;

/** Longest name a Linux filesystem takes (NAME_MAX), in bytes. */
export const NAME_MAX_BYTES = 255;
// the dot, the marker, the tag, a dash and up to 13 hex digits of the counter
const SUFFIX_BYTES = 1 + MARKER.length + 16 + 1 + 13;

/** The journal step that records a run's temp tag (begun before its first temp file). */
export const TEMP_TAG_STEP = 'temp-files:';

export function newTempTag(): string {
  return randomBytes(8).toString('hex');
}

/** The tag of a name shaped like one of our temp names, or undefined. */
export function tempTagOf(name: string): string | undefined {
  if (name.charCodeAt(0) !== 46) return undefined;
  const at = name.lastIndexOf(MARKER);
  if (at < 1) return undefined;
  const rest = name.slice(at + MARKER.length);
  const dash = rest.indexOf('-');
  if (dash !== 16 || !/^[0-9a-f]+$/.test(rest.slice(dash + 1))) return undefined;
  const tag = rest.slice(0, dash);
  return TAG.test(tag) ? tag : undefined;
}

/** Fresh temp names of one run, beside the final name (same directory: the rename is atomic). */
export class TempNames {
  readonly tag: string;
  #sequence = 0;

  constructor(tag = newTempTag()) {
    this.tag = tag;
  }

  next(name: string): string {
    this.#sequence++;
    const base = truncateBytes(name, NAME_MAX_BYTES - SUFFIX_BYTES);
    return `.${base}${MARKER}${this.tag}-${this.#sequence.toString(16)}`;
  }
}

/** The longest prefix of `text` that fits in `maxBytes` on disk, never splitting a character. */
export function truncateBytes(text: string, maxBytes: number): string {
  if (text.length * 3 <= maxBytes || encodeName(text).length <= maxBytes) return text;
  let bytes = 0;
  let end = 0;
  for (const char of text) {
    const size = encodeName(char).length;
    if (bytes + size > maxBytes) break;
    bytes += size;
    end += char.length;
  }
  return text.slice(0, end);
}
