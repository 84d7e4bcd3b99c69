import type { Dispatcher } from 'undici';
import { PermanentError } from '../errors/index.js';
import { formatBytes } from '../util/bytes.js';
import type { HttpBody, ResponseType } from './types.js';

export interface EncodedBody {
  payload: string | Uint8Array | undefined;
  contentType: string | undefined;
}

/** Encodes once per request: every attempt re-sends the same bytes. */
export function encodeBody(body: HttpBody | undefined): EncodedBody {
  if (body === undefined) return { payload: undefined, contentType: undefined };
  if (typeof body === 'string') return { payload: body, contentType: 'text/plain; charset=utf-8' };
  if (body instanceof Uint8Array) return { payload: body, contentType: 'application/octet-stream' };
  return { payload: JSON.stringify(body), contentType: 'application/json' };
}

/** A response body being received: undici's, or any stream of bytes that can be torn down. */
export interface ByteStream extends AsyncIterable<Uint8Array> {
  destroy(error?: Error): unknown;
}

/** A cap on one response body, and the error that refuses a body past it. */
export interface BodyCap {
  maxBytes: number;
  /** The response's Content-Length header, as received. */
  contentLength: string | string[] | undefined;
  tooLarge: () => Error;
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

/** The refusal of a body past its cap: one line naming the request, what the body is and the limit. */
export function bodyTooLarge(
  describe: string,
  label: string,
  maxBytes: number,
  hint: string | undefined,
): PermanentError {
  return new PermanentError(`${describe}: the ${label} is larger than ${formatBytes(maxBytes)}; refused`, {
    hint: hint ?? 'if the server is trusted and this answer is expected, raise the limit (maxBodyBytes)',
  });
}

export async function readBody(
  body: Dispatcher.ResponseData['body'],
  type: ResponseType,
  describe: string,
  cap?: BodyCap,
): Promise<unknown> {
  if (type === 'none') {
    // dump() reads a little and then drops the connection: no cap needed here
    await body.dump();
    return undefined;
  }
  if (cap === undefined) {
    switch (type) {
      case 'text':
        return body.text();
      case 'buffer':
        return Buffer.from(await body.arrayBuffer());
      case 'json':
        return parseJson(await body.text(), describe);
    }
  }
  const bytes = await readCapped(body, cap.contentLength, cap.maxBytes, cap.tooLarge);
  if (type === 'buffer') return bytes;
  // as undici's text(): UTF-8, a byte order mark dropped
  const text = new TextDecoder().decode(bytes);
  return type === 'text' ? text : parseJson(text, describe);
}

function parseJson(text: string, describe: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new PermanentError(`${describe}: the response is not valid JSON`, { cause: error });
  }
}
