/** Issue 14, item 16: a secret printed base64-encoded, URL-encoded or JSON-escaped is masked too. */
import { describe, expect, it } from 'vitest';
import { REDACTED, Redactor } from '../../../src/log/index.js';
import { encodedForms, MIN_ENCODED_LENGTH } from '../../../src/log/secretForms.js';

const SECRET = 'hunter2-Ünïcode "quoted" \\ back/slash+plus';

function redactorWith(secret: string): Redactor {
  const r = new Redactor();
  r.addSecret(secret);
  return r;
}

describe('encoded forms of a secret', () => {
  it('masks base64 of the secret at every offset, with any text after it, in both alphabets', () => {
    const r = redactorWith(SECRET);
    for (const prefix of ['', 'u', 'us', 'user:', 'Basic user:']) {
      for (const suffix of ['', '\n', '!?', '@host']) {
        const plain = Buffer.from(`${prefix}${SECRET}${suffix}`);
        for (const encoded of [plain.toString('base64'), plain.toString('base64url')]) {
          const masked = r.redactString(`auth=${encoded}`);
          expect(masked, `${prefix}|${suffix}`).toContain(REDACTED);
          // what is left around the mask is at most the few characters the neighbours share
          expect(masked.replace(REDACTED, '').length, `${prefix}|${suffix}`).toBeLessThanOrEqual(
            'auth='.length +
              Math.ceil(((prefix.length + 2) * 4) / 3) +
              Math.ceil(((suffix.length + 2) * 4) / 3) +
              2,
          );
        }
      }
    }
  });

  it('masks the URL-encoded forms (component and form style)', () => {
    const r = redactorWith(SECRET);
    expect(r.redactString(`?p=${encodeURIComponent(SECRET)}&x=1`)).toBe(`?p=${REDACTED}&x=1`);
    expect(r.redactString(`p=${encodeURIComponent(SECRET).replaceAll('%20', '+')}`)).toBe(`p=${REDACTED}`);
  });

  it('masks the JSON-escaped forms, UTF-8 and ASCII-only', () => {
    const r = redactorWith(SECRET);
    expect(r.redactString(JSON.stringify({ password: SECRET }))).toBe(`{"password":"${REDACTED}"}`);
    const ascii = JSON.stringify(SECRET).replace(
      /[\u007f-\uffff]/g,
      (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
    );
    expect(r.redactString(`{"password":${ascii}}`)).toBe(`{"password":"${REDACTED}"}`);
  });

  it("masks RFC 3986 percent-encoding (Python's quote) and Go's HTML-safe JSON", () => {
    const secret = "p4ss!w*rd(x)'<&>";
    const r = redactorWith(secret);
    expect(r.redactString('?p=p4ss%21w%2Ard%28x%29%27%3C%26%3E&x=1')).toBe(`?p=${REDACTED}&x=1`);
    expect(r.redactString('{"p":"p4ss!w*rd(x)\'\\u003c\\u0026\\u003e"}')).toBe(`{"p":"${REDACTED}"}`);
  });

  it('keeps no form shorter than the minimum, so a short secret does not blank random text', () => {
    expect(encodedForms('abcd').every((form) => form.length >= MIN_ENCODED_LENGTH)).toBe(true);
    expect(encodedForms('abcd')).toContain(Buffer.from('abcd').toString('base64'));
  });
});
