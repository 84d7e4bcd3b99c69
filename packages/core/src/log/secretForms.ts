/**
 * The forms a secret is printed in besides itself, masked like it (as CI runners' maskers do):
 * a hook that prints `base64(user:password)`, a URL with the secret as a query value, or a JSON
 * document with the secret in a string all carry it encoded.
 */

/** Shorter encoded forms are not masked: a few base64 characters occur by chance in any digest. */
export const MIN_ENCODED_LENGTH = 6;

const toUrlSafe = (base64: string): string => base64.replaceAll('+', '-').replaceAll('/', '_');

/**
 * Base64 of the secret wherever it stands in the encoded text. Base64 turns each 3 bytes into 4
 * characters, so the secret's encoding depends on its offset in what was encoded: for each of the
 * 3 offsets, the characters that come from the secret's bytes alone (the 1 or 2 bytes it shares
 * with what comes before are dropped, and so is a last character that mixes in what comes after).
 * Plus the padded encoding of the secret on its own. Standard and URL-safe alphabets.
 */
function base64Forms(bytes: Buffer): string[] {
  const forms = [bytes.toString('base64')];
  for (let shift = 0; shift < 3 && shift < bytes.length; shift++) {
    const aligned = bytes.subarray(shift);
    forms.push(aligned.toString('base64').slice(0, Math.floor((aligned.length * 4) / 3)));
  }
  return [...forms, ...forms.map(toUrlSafe)];
}

/** `\uXXXX` for every non-ASCII character, as JSON encoders with an ASCII-only option write it. */
function asciiJson(escaped: string): string {
  return escaped.replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** RFC 3986 percent-encoding (Python's quote, PHP's rawurlencode): `!'()*` encoded too. */
function strictUrl(url: string): string {
  return url.replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** Go's and Java's HTML-safe JSON: `<`, `>` and `&` as `\u003c`, `\u003e`, `\u0026`. */
function htmlSafeJson(escaped: string): string {
  return escaped.replace(/[<>&]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** URL-encoded (component, RFC 3986 and form style), JSON-escaped and base64 forms that differ from `text`. */
export function encodedForms(text: string): string[] {
  const url = encodeURIComponent(text);
  const json = JSON.stringify(text).slice(1, -1);
  const forms = new Set([
    url,
    url.replaceAll('%20', '+'),
    strictUrl(url),
    strictUrl(url).replaceAll('%20', '+'),
    json,
    asciiJson(json),
    htmlSafeJson(json),
    htmlSafeJson(asciiJson(json)),
    ...base64Forms(Buffer.from(text, 'utf8')),
  ]);
  forms.delete(text);
  return [...forms].filter((form) => form.length >= MIN_ENCODED_LENGTH);
}
