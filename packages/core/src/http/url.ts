import { UsageError } from '../errors/index.js';
import { redactUrl, secrets } from '../log/index.js';
import type { HttpQuery } from './types.js';

export interface UrlCredentials {
  username: string;
  password: string;
}

/**
 * Parses an http(s) URL and moves `user:pass@` out of it: undici would silently drop them, and a
 * URL without them can be logged. The password is registered as a secret first.
 */
export function parseHttpUrl(input: string | URL, what: string): { url: URL; credentials?: UrlCredentials } {
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    throw new UsageError(`${what}: not a valid URL: ${redactUrl(String(input))}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(`${what}: only http and https URLs are supported, got ${url.protocol}`);
  }
  if (url.username === '' && url.password === '') return { url };
  const credentials = {
    username: decodeURIComponent(url.username),
    password: decodeURIComponent(url.password),
  };
  secrets.addSecret(credentials.password);
  secrets.addSecret(url.password);
  url.username = '';
  url.password = '';
  return { url, credentials };
}

/** `path` is appended to the base's path (not resolved against it, which would drop `/v1`). */
export function joinPath(base: URL, path: string): URL {
  const url = new URL(`${base.pathname.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`, base.origin);
  for (const [key, value] of base.searchParams) url.searchParams.append(key, value);
  return url;
}

export function appendQuery(url: URL, query: HttpQuery | undefined): URL {
  if (!query) return url;
  for (const [key, value] of Object.entries(query)) {
    const values = Array.isArray(value) ? value : [value];
    for (const item of values) {
      if (item !== null && item !== undefined) url.searchParams.append(key, String(item));
    }
  }
  return url;
}
