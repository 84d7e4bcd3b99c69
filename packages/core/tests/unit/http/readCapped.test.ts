import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { PermanentError } from '../../../src/errors/index.js';
import { bodyTooLarge, readCapped } from '../../../src/http/body.js';

const tooLarge = () => new Error('too large');

/** A stream of `count` chunks of `size` bytes that counts how many were pulled from it. */
function source(count: number, size: number) {
  let pulled = 0;
  const stream = new Readable({
    highWaterMark: size,
    read() {
      pulled++;
      this.push(pulled > count ? null : Buffer.alloc(size, 0x61));
    },
  });
  return { stream, pulled: () => pulled };
}

describe('Function: readCapped', () => {
  it('reads a body up to the cap whole', async () => {
    const { stream } = source(4, 256);
    expect((await readCapped(stream, undefined, 1024, tooLarge)).length).toBe(1024);
  });

  it('stops one chunk past the cap, without reading the rest, and destroys the stream', async () => {
    const { stream, pulled } = source(10_000, 256);
    await expect(readCapped(stream, undefined, 1024, tooLarge)).rejects.toThrow('too large');
    expect(pulled()).toBeLessThan(10);
    expect(stream.destroyed).toBe(true);
  });

  it('refuses a Content-Length over the cap before reading, and does not trust a small one', async () => {
    const announced = source(1, 10);
    await expect(readCapped(announced.stream, '2048', 1024, tooLarge)).rejects.toThrow('too large');
    expect(announced.pulled()).toBe(0);
    const lying = source(100, 256);
    await expect(readCapped(lying.stream, '10', 1024, tooLarge)).rejects.toThrow('too large');
  });
});

describe('Function: bodyTooLarge', () => {
  it('names the request, what the caller calls the body and the limit, in one line, as a PermanentError', () => {
    const error = bodyTooLarge(
      'GET https://r.example/v2/x',
      'manifest x@latest (maxManifestBytes)',
      4 * 1024 * 1024,
      undefined,
    );
    expect(error).toBeInstanceOf(PermanentError);
    expect(error.message).toBe(
      'GET https://r.example/v2/x: the manifest x@latest (maxManifestBytes) is larger than 4 MiB; refused',
    );
    expect(error.hint).toContain('maxBodyBytes');
    expect(bodyTooLarge('GET u', 'page', 10, 'raise maxPageBytes').hint).toBe('raise maxPageBytes');
  });
});
