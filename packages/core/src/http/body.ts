import type { Dispatcher } from 'undici';
import { PermanentError } from '../errors/index.js';
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

export async function readBody(
  body: Dispatcher.ResponseData['body'],
  type: ResponseType,
  describe: string,
): Promise<unknown> {
  switch (type) {
    case 'none':
      await body.dump();
      return undefined;
    case 'text':
      return body.text();
    case 'buffer':
      return Buffer.from(await body.arrayBuffer());
    case 'json': {
      const text = await body.text();
      if (text === '') return undefined;
      try {
        return JSON.parse(text);
      } catch (error) {
        throw new PermanentError(`${describe}: the response is not valid JSON`, { cause: error });
      }
    }
  }
}
