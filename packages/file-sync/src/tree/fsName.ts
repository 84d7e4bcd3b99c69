/**
 * Linux names are bytes, not text. A name that is valid UTF-8 (nearly all) is kept as the JS
 * string it decodes to; each byte of a name that is not valid UTF-8 becomes a lone low
 * surrogate U+DC80..U+DCFF (Python's "surrogateescape"). Valid UTF-8 never decodes to a lone
 * surrogate, so the mapping is one-to-one and `fsPath` gives back the exact bytes. Such strings
 * survive JSON (as `\udcff` escapes), journals and worker messages unchanged.
 */

const ESCAPED = /[\udc80-\udcff]/;
const REPLACEMENT = '\ufffd';

/** True when `name`, as Node decoded it, may have lost bytes: read it again as a Buffer. */
export function mayBeLossy(name: string): boolean {
  return name.includes(REPLACEMENT);
}

/** True when `path` carries escaped bytes, i.e. must reach the filesystem as a Buffer. */
export function hasEscapedBytes(path: string): boolean {
  return ESCAPED.test(path);
}

/** The path to hand to `node:fs`: the string itself, or its exact bytes when it carries escapes. */
export function fsPath(path: string): string | Buffer {
  return hasEscapedBytes(path) ? encodeName(path) : path;
}

/** Bytes of a name or path: UTF-8, except escaped bytes, which are themselves. */
export function encodeName(text: string): Buffer {
  if (!hasEscapedBytes(text)) return Buffer.from(text, 'utf8');
  const bytes: number[] = [];
  for (let k = 0; k < text.length; k++) {
    const unit = text.charCodeAt(k);
    if (unit >= 0xdc80 && unit <= 0xdcff) {
      bytes.push(unit - 0xdc00);
      continue;
    }
    let end = k + 1;
    if (unit >= 0xd800 && unit <= 0xdbff && k + 1 < text.length) {
      const next = text.charCodeAt(k + 1);
      if (next >= 0xdc00 && next <= 0xdfff) end = k + 2;
    }
    for (const byte of Buffer.from(text.slice(k, end), 'utf8')) bytes.push(byte);
    k = end - 1;
  }
  return Buffer.from(bytes);
}

/** Length in bytes of the UTF-8 sequence starting at `i`, or 0 when it is not a valid one. */
function sequenceLength(bytes: Uint8Array, i: number): number {
  const lead = bytes[i] as number;
  if (lead < 0x80) return 1;
  let length: number;
  let min: number;
  if (lead >= 0xc2 && lead <= 0xdf) {
    length = 2;
    min = 0x80;
  } else if (lead >= 0xe0 && lead <= 0xef) {
    length = 3;
    min = 0x800;
  } else if (lead >= 0xf0 && lead <= 0xf4) {
    length = 4;
    min = 0x10000;
  } else return 0;
  if (i + length > bytes.length) return 0;
  let code = lead & (0xff >> (length + 1));
  for (let k = 1; k < length; k++) {
    const byte = bytes[i + k] as number;
    if ((byte & 0xc0) !== 0x80) return 0;
    code = (code << 6) | (byte & 0x3f);
  }
  // overlong forms, UTF-16 surrogates and code points past U+10FFFF are not valid UTF-8
  if (code < min || (code >= 0xd800 && code <= 0xdfff) || code > 0x10ffff) return 0;
  return length;
}

/** The string for a name read as bytes (see the module comment). */
export function decodeName(bytes: Buffer): string {
  let out = '';
  let start = 0;
  let i = 0;
  while (i < bytes.length) {
    const length = sequenceLength(bytes, i);
    if (length > 0) {
      i += length;
      continue;
    }
    out += bytes.toString('utf8', start, i) + String.fromCharCode(0xdc00 + (bytes[i] as number));
    i++;
    start = i;
  }
  return out + bytes.toString('utf8', start, i);
}
