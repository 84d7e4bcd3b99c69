import { createHash } from 'node:crypto';
import { type HttpClient, type HttpRequest, type HttpResponse, PermanentError } from '@tempered/core';

const sha = (text: string) => `sha256:${createHash('sha256').update(text).digest('hex')}`;

export interface FakeImage {
  tags: string[];
  created?: string;
  /** An index over these images' digests instead of an image. */
  index?: string[];
}

/**
 * An in-memory OCI registry behind a fake of core's HttpClient: enough of the Distribution API
 * (catalog, tags, HEAD/GET manifests, blobs, DELETE) for the provider's logic, no network.
 * `auth` makes it answer 401 with a Basic or Bearer challenge until the right header comes.
 */
export class FakeRegistry {
  readonly base = 'http://fake.registry';
  readonly repos = new Map<string, Map<string, string>>();
  readonly manifests = new Map<string, { mediaType: string; body: string }>();
  readonly blobs = new Map<string, string>();
  readonly requests: string[] = [];
  auth: { kind: 'basic'; header: string } | { kind: 'bearer'; credentials: string } | undefined;
  readonly issued = new Map<string, string>();

  push(repository: string, image: FakeImage): string {
    let body: string;
    let mediaType: string;
    if (image.index) {
      mediaType = 'application/vnd.oci.image.index.v1+json';
      body = JSON.stringify({
        schemaVersion: 2,
        mediaType,
        manifests: image.index.map((digest) => ({ digest })),
      });
    } else {
      const config = JSON.stringify({
        ...(image.created === undefined ? {} : { created: image.created }),
        os: 'linux',
        tags: image.tags,
      });
      this.blobs.set(sha(config), config);
      mediaType = 'application/vnd.oci.image.manifest.v1+json';
      body = JSON.stringify({ schemaVersion: 2, mediaType, config: { digest: sha(config) }, layers: [] });
    }
    const digest = sha(body);
    this.manifests.set(digest, { mediaType, body });
    const tags = this.repos.get(repository) ?? new Map<string, string>();
    for (const tag of image.tags) tags.set(tag, digest);
    this.repos.set(repository, tags);
    return digest;
  }

  get client(): HttpClient {
    const request = (req: HttpRequest) => this.#request(req);
    return {
      request,
      get: (url: string, options: Omit<HttpRequest, 'method'>) => request({ ...options, method: 'GET', url }),
    } as unknown as HttpClient;
  }

  async #request(req: HttpRequest): Promise<HttpResponse<unknown>> {
    const url = new URL(String(req.url));
    this.requests.push(`${req.method} ${url.pathname}${url.search}`);
    const reply = (
      status: number,
      body: unknown,
      headers: Record<string, string> = {},
    ): HttpResponse<unknown> => {
      const allowed = [200, 201, 202, 204, ...(req.expect ?? [])];
      if (!allowed.includes(status))
        throw new PermanentError(`${req.method} ${url.pathname} -> ${status}`, { status });
      // as core's client: HEAD and `none` read nothing, `readBodyOn: '2xx'` reads 2xx bodies only,
      // `buffer` gives the bytes a registry would send
      const unread =
        req.method === 'HEAD' ||
        req.responseType === 'none' ||
        (req.readBodyOn === '2xx' && (status < 200 || status >= 300));
      const encoded = unread
        ? undefined
        : req.responseType === 'buffer'
          ? Buffer.from(typeof body === 'string' ? body : JSON.stringify(body))
          : body;
      return { status, headers, body: encoded, requestId: 'r', attempts: 1 };
    };
    if (url.pathname === '/token') {
      if (this.auth?.kind !== 'bearer' || req.headers?.authorization !== this.auth.credentials)
        return reply(401, {});
      const token = `tok-${this.issued.size}`;
      this.issued.set(token, url.searchParams.getAll('scope').join(' '));
      return reply(200, { token });
    }
    const sent = req.headers?.authorization;
    if (this.auth?.kind === 'basic' && sent !== this.auth.header) {
      return reply(401, {}, { 'www-authenticate': 'Basic realm="fake"' });
    }
    if (this.auth?.kind === 'bearer' && !(sent?.startsWith('Bearer ') && this.issued.has(sent.slice(7)))) {
      return reply(401, {}, { 'www-authenticate': `Bearer realm="${this.base}/token",service="fake"` });
    }
    if (url.pathname === '/v2/') return reply(200, '{}');
    if (url.pathname === '/v2/_catalog') return reply(200, { repositories: [...this.repos.keys()].sort() });
    const match = /^\/v2\/(.+)\/(tags\/list|manifests|blobs)(?:\/(.+))?$/.exec(url.pathname);
    const tags = match ? this.repos.get(match[1] ?? '') : undefined;
    if (!match || !tags) return reply(404, { errors: [{ code: 'NAME_UNKNOWN' }] });
    const [, , kind, reference = ''] = match;
    if (kind === 'tags/list')
      return reply(200, { name: match[1], tags: tags.size === 0 ? null : [...tags.keys()] });
    if (kind === 'blobs') {
      const blob = this.blobs.get(reference);
      return blob === undefined ? reply(404, {}) : reply(200, blob);
    }
    const digest = reference.startsWith('sha256:') ? reference : tags.get(reference);
    const manifest = digest === undefined ? undefined : this.manifests.get(digest);
    const known =
      digest !== undefined &&
      manifest !== undefined &&
      (!reference.startsWith('sha256:') || [...tags.values()].includes(digest) || req.method !== 'DELETE');
    if (!known || !manifest || digest === undefined)
      return reply(404, { errors: [{ code: 'MANIFEST_UNKNOWN' }] });
    if (req.method === 'DELETE') {
      for (const [tag, target] of [...tags]) if (target === digest) tags.delete(tag);
      return reply(202, '');
    }
    return reply(200, manifest.body, { 'docker-content-digest': digest, 'content-type': manifest.mediaType });
  }
}
