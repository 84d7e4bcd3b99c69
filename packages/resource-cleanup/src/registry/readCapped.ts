/** A response body being received: undici's, or any stream of bytes that can be torn down. */
export interface ByteStream extends AsyncIterable<Uint8Array> {
  destroy(error?: Error): unknown;
}

/**
 * Reads a body of at most `maxBytes`, or throws `tooLarge()` without reading further: a
 * Content-Length over the cap is refused before the first byte, and a body that runs past it
 * (no Content-Length, or one that lies) is cut off at the cap, its connection dropped.
 */
export async function readCapped(
  body: ByteStream,
  contentLength: string | string[] | undefined,
  maxBytes: number,
  tooLarge: () => Error,
): Promise<Buffer> {
  const declared = Number([contentLength].flat()[0] ?? Number.NaN);
  if (Number.isFinite(declared) && declared > maxBytes) {
    body.destroy();
    throw tooLarge();
  }
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of body) {
    total += chunk.byteLength;
    if (total > maxBytes) {
      body.destroy();
      throw tooLarge();
    }
    chunks.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
  }
  return Buffer.concat(chunks, total);
}
