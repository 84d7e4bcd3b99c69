import { createHash } from 'node:crypto';
import { type HttpClient, PermanentError } from '@tempered/core';
import type { RegistryAuth } from '../section.js';
import { Authenticator } from './Authenticator.js';
import { nextLink } from './headers.js';
import { DEFAULT_REGISTRY_LIMITS, type RegistryLimits } from './limits.js';
import { MANIFEST_ACCEPT } from './mediaTypes.js';
import { Pagination } from './Pagination.js';

export interface RegistryClientOptions {
  /** The registry's base URL (its own path, if any, is kept). */
  url: string;
  /** Every request; each body read is capped (maxBodyBytes), so the registry cannot make us buffer without end. */
  http: HttpClient;
  auth?: RegistryAuth | undefined;
  pageSize: number;
  /** Origins of token servers the credentials may go to (default: the registry's own host, see origins.ts). */
  tokenRealms?: readonly string[] | undefined;
  limits?: RegistryLimits | undefined;
}

interface SendOptions {
  scope: string;
  accept?: string | undefined;
  /** Read the 2xx body, up to this many bytes; without it the body is not read. */
  maxBytes?: number | undefined;
  /** The body, for the error past maxBytes: `manifest app/web@latest (maxManifestBytes)`. */
  what?: string | undefined;
  /** Statuses that are answers, not failures (besides 2xx handled by the caller). */
  expect: readonly number[];
  signal?: AbortSignal | undefined;
  /** Leave out credentials (a redirect to another origin, e.g. blob storage). */
  anonymous?: boolean;
}

const REDIRECTS = [301, 302, 303, 307, 308];
/** A read's successes: any 2xx (its body read, capped); the other expected statuses are answers, their bodies unread. */
const ANY_2XX = Array.from({ length: 100 }, (_, i) => 200 + i);
const TOO_LARGE_HINT = 'if the registry is trusted and this is expected, raise the limit named in the rule';

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** The body when maxBytes was given and the status is 2xx; else empty. */
  body: Buffer;
}

/**
 * The OCI Distribution API calls resource-cleanup needs, over core's HTTP client (timeouts,
 * retries with Retry-After, request ids, concurrency cap, redaction, a byte cap on every body it
 * reads; no redirect followed), with registry auth. Everything the registry sends is untrusted: bodies are
 * capped (limits.ts), pages are bounded (Pagination), credentials stay on its origin.
 */
export class RegistryClient {
  readonly #base: URL;
  readonly #http: HttpClient;
  readonly #auth: Authenticator;
  readonly #pageSize: number;
  readonly #limits: RegistryLimits;

  constructor(options: RegistryClientOptions) {
    const base = new URL(options.url);
    if (!base.pathname.endsWith('/')) base.pathname = `${base.pathname}/`;
    this.#base = base;
    this.#http = options.http;
    this.#auth = new Authenticator(options.http, options.auth, base, options.tokenRealms);
    this.#pageSize = options.pageSize;
    this.#limits = options.limits ?? DEFAULT_REGISTRY_LIMITS;
  }

  get origin(): string {
    return this.#base.href.replace(/\/$/, '');
  }

  /** `GET /v2/`: proves the URL is a registry and settles how to authenticate. */
  async ping(signal?: AbortSignal): Promise<void> {
    const response = await this.#send('GET', 'v2/', {
      scope: '',
      expect: [200, 404],
      signal,
    });
    if (response.status === 404) {
      throw new PermanentError(`${this.origin} is not an OCI registry: GET /v2/ -> 404`, {
        status: 404,
        hint: "check the rule's url: it must be the registry's base URL, e.g. https://registry.example.com",
      });
    }
  }

  /** Every repository name, following the catalog's `Link` pages. */
  async catalog(signal?: AbortSignal): Promise<string[]> {
    let target: string | undefined = `v2/_catalog?n=${this.#pageSize}`;
    const pages = new Pagination(`${this.origin}: the catalog`, this.#limits.maxPages, this.#pageSize);
    while (target !== undefined) {
      pages.visit(this.#url(target));
      const response: Answer = await this.#send('GET', target, {
        scope: 'registry:catalog:*',
        expect: [200, 404],
        maxBytes: this.#limits.maxPageBytes,
        what: 'catalog page (maxPageBytes)',
        signal,
      });
      if (response.status === 404) {
        throw new PermanentError(`${this.origin} has no catalog API (GET /v2/_catalog -> 404)`, {
          hint: 'list repositories by name (no glob characters) in the rule: globs need the catalog',
        });
      }
      const page = this.#json<{ repositories?: unknown }>(response, 'the catalog page')?.repositories;
      if (!Array.isArray(page))
        throw new PermanentError(`${this.origin}: the catalog answer has no repositories list`);
      pages.add(page.filter((name): name is string => typeof name === 'string'));
      target = this.#next(response, page.length);
    }
    return pages.names;
  }

  /** Every tag of a repository, following `Link` pages; undefined when the registry does not know it. */
  async tags(repository: string, signal?: AbortSignal): Promise<string[] | undefined> {
    let target: string | undefined = `v2/${repository}/tags/list?n=${this.#pageSize}`;
    const pages = new Pagination(
      `${this.origin}: the tag list of ${repository}`,
      this.#limits.maxPages,
      this.#pageSize,
    );
    while (target !== undefined) {
      pages.visit(this.#url(target));
      const response: Answer = await this.#send('GET', target, {
        scope: pullScope(repository),
        expect: [200, 404],
        maxBytes: this.#limits.maxPageBytes,
        what: `tag list page of ${repository} (maxPageBytes)`,
        signal,
      });
      if (response.status === 404) return pages.names.length === 0 ? undefined : pages.names;
      const page = this.#json<{ tags?: unknown }>(response, `the tag list page of ${repository}`)?.tags;
      // a repository whose tags were all deleted lists `"tags": null`
      const list = Array.isArray(page) ? page.filter((tag): tag is string => typeof tag === 'string') : [];
      pages.add(list);
      target = this.#next(response, list.length);
    }
    return pages.names;
  }

  /** HEAD the tag's manifest: its digest and media type; undefined when the tag is gone. */
  async resolve(
    repository: string,
    reference: string,
    signal?: AbortSignal,
  ): Promise<{ digest: string; mediaType: string | undefined } | undefined> {
    const response = await this.#send('HEAD', `v2/${repository}/manifests/${reference}`, {
      scope: pullScope(repository),
      accept: MANIFEST_ACCEPT,
      expect: [200, 404],
      signal,
    });
    if (response.status === 404) return undefined;
    const digest = header(response, 'docker-content-digest');
    const mediaType = header(response, 'content-type')?.split(';')[0]?.trim();
    if (digest) return { digest, mediaType };
    // a registry that leaves the digest out of HEAD: it is the sha256 of the manifest as served
    const manifest = await this.manifest(repository, reference, signal);
    return manifest && { digest: manifest.digest, mediaType: manifest.mediaType };
  }

  async manifest(
    repository: string,
    reference: string,
    signal?: AbortSignal,
  ): Promise<{ digest: string; mediaType: string | undefined; body: Record<string, unknown> } | undefined> {
    const response = await this.#send('GET', `v2/${repository}/manifests/${reference}`, {
      scope: pullScope(repository),
      accept: MANIFEST_ACCEPT,
      maxBytes: this.#limits.maxManifestBytes,
      what: `manifest ${repository}@${reference} (maxManifestBytes)`,
      expect: [200, 404],
      signal,
    });
    if (response.status === 404) return undefined;
    const bytes = response.body;
    let body: unknown;
    try {
      body = JSON.parse(bytes.toString('utf8'));
    } catch (error) {
      throw new PermanentError(`${this.origin}: manifest ${repository}@${reference} is not JSON`, {
        cause: error,
      });
    }
    if (body === null || typeof body !== 'object')
      throw new PermanentError(`${this.origin}: manifest ${repository}@${reference} is not an object`);
    const mediaType =
      (typeof (body as { mediaType?: unknown }).mediaType === 'string'
        ? (body as { mediaType: string }).mediaType
        : undefined) ?? header(response, 'content-type')?.split(';')[0]?.trim();
    const digest =
      header(response, 'docker-content-digest') ??
      `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
    return { digest, mediaType, body: body as Record<string, unknown> };
  }

  /** A JSON blob (an image config); undefined when missing. Follows a redirect to blob storage. */
  async blobJson(repository: string, digest: string, signal?: AbortSignal): Promise<unknown> {
    const what = `image config ${repository}@${digest} (maxManifestBytes)`;
    let response = await this.#send('GET', `v2/${repository}/blobs/${digest}`, {
      scope: pullScope(repository),
      maxBytes: this.#limits.maxManifestBytes,
      what,
      expect: [200, 404, ...REDIRECTS],
      signal,
    });
    if (REDIRECTS.includes(response.status)) {
      const location = header(response, 'location');
      if (!location) throw new PermanentError(`${this.origin}: blob ${digest} redirected nowhere`);
      const target = new URL(location, this.#base);
      response = await this.#send('GET', target.href, {
        scope: pullScope(repository),
        maxBytes: this.#limits.maxManifestBytes,
        what,
        expect: [200, 404],
        signal,
        anonymous: target.origin !== this.#base.origin,
      });
    }
    if (response.status === 404) return undefined;
    try {
      return JSON.parse(response.body.toString('utf8'));
    } catch {
      return undefined;
    }
  }

  /** `DELETE /v2/<name>/manifests/<digest>`: every tag on it goes too. 404 means already deleted. */
  async deleteManifest(
    repository: string,
    digest: string,
    signal?: AbortSignal,
  ): Promise<'deleted' | 'already-gone'> {
    const response = await this.#send('DELETE', `v2/${repository}/manifests/${digest}`, {
      scope: `repository:${repository}:delete`,
      expect: [200, 202, 204, 404, 405],
      signal,
    });
    if (response.status === 404) return 'already-gone';
    if (response.status === 405) {
      throw new PermanentError(
        `${this.origin} does not allow deletes (DELETE ${repository}@${digest} -> 405)`,
        {
          status: 405,
          hint: 'enable deletes on the registry (distribution: storage.delete.enabled: true)',
        },
      );
    }
    return 'deleted';
  }

  /** A JSON page; undefined for an expected non-2xx answer (its body was not read). */
  #json<T>(response: Answer, what: string): T | undefined {
    if (response.status < 200 || response.status >= 300 || response.body.length === 0) return undefined;
    try {
      return JSON.parse(response.body.toString('utf8')) as T;
    } catch (error) {
      throw new PermanentError(`${this.origin}: ${what} is not JSON`, {
        cause: error,
        hint: "the rule's url may reach a proxy or a login page rather than the registry API: check it",
      });
    }
  }

  #next(response: Answer, pageLength: number): string | undefined {
    const link = nextLink(response.headers.link);
    if (link === undefined || pageLength === 0) return undefined;
    const next = new URL(link, this.#base);
    // the next page gets the same credentials as this one: only ever on the registry's own origin
    if (next.origin !== this.#base.origin) {
      throw new PermanentError(
        `${this.origin}: the registry's Link header points the next page to another origin (${next.origin}); refused, nothing was sent there`,
        {
          hint: "a registry pages within its own origin; check the rule's url (the registry's public base URL) and any proxy in front of it",
        },
      );
    }
    return next.href;
  }

  /** A path under the registry's base URL, or an absolute URL as it is. */
  #url(target: string): string {
    return /^https?:\/\//i.test(target) ? target : new URL(target, this.#base).href;
  }

  /** One request with auth: a 401 is answered once (basic or a bearer token), then it is final. */
  async #send(method: 'GET' | 'HEAD' | 'DELETE', target: string, options: SendOptions): Promise<Answer> {
    const url = this.#url(target);
    const headers: Record<string, string> = {};
    if (options.accept) headers.accept = options.accept;
    const auth = options.anonymous ? undefined : await this.#auth.header(options.scope, options.signal);
    if (auth) headers.authorization = auth;
    const expect = [...options.expect, 401];
    const request = async (): Promise<Answer> => {
      if (options.maxBytes !== undefined) {
        // the 2xx body is read as a stream and refused past the cap (a PermanentError, not
        // retried); an expected 404, 401 or redirect is an answer whose body is never read
        const response = await this.#http.request<Buffer | undefined>({
          method: 'GET',
          url,
          headers: { ...headers },
          expect: [...ANY_2XX, ...expect],
          responseType: 'buffer',
          readBodyOn: '2xx',
          maxBodyBytes: options.maxBytes,
          bodyLabel: options.what ?? 'response',
          bodyLimitHint: TOO_LARGE_HINT,
          signal: options.signal,
        });
        return { status: response.status, headers: response.headers, body: response.body ?? Buffer.alloc(0) };
      }
      const response = await this.#http.request({
        method,
        url,
        headers: { ...headers },
        expect: [200, 201, 202, 204, ...expect],
        // nothing here reads the body: core drains a little of it and drops the rest
        responseType: 'none',
        signal: options.signal,
      });
      return { status: response.status, headers: response.headers, body: Buffer.alloc(0) };
    };
    const response = await request();
    if (response.status !== 401 || options.anonymous) return response;
    const retryWith = await this.#auth.answer(
      response.headers['www-authenticate'],
      options.scope,
      auth,
      options.signal,
    );
    headers.authorization = retryWith;
    const second = await request();
    if (second.status === 401) throw this.#auth.refused(retryWith);
    return second;
  }
}

function pullScope(repository: string): string {
  return `repository:${repository}:pull`;
}

function header(response: Answer, name: string): string | undefined {
  const value = response.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
