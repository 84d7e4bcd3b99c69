import { type HttpClient, mapConcurrently, PermanentError } from '@tempered/core';
import { compileNameGlobs } from '@tempered/core/glob';
import { describeResource } from '../provider/describe.js';
import {
  type DeleteOutcome,
  DeleteStatus,
  type ImageResource,
  type Listing,
  type Provider,
  type ProviderContext,
  ProviderKind,
} from '../provider/types.js';
import type { RegistryAuth } from '../section.js';
import type { Dependency } from '../select/keepClosure.js';
import type { SelectItem } from '../select/selectItems.js';
import { type TagFacts, tagSafety } from '../select/tagSafety.js';
import type { RegistryLimits } from './limits.js';
import { manifestDependencies } from './manifestGraph.js';
import { isIndex } from './mediaTypes.js';
import { RegistryClient } from './RegistryClient.js';

export interface RegistryProviderOptions {
  rule: string;
  url: string;
  repositories: readonly string[];
  tags?: string | undefined;
  protectTags?: readonly string[] | undefined;
  auth?: RegistryAuth | undefined;
  pageSize: number;
  /** Token servers the credentials may go to (default: the registry's own host, see origins.ts). */
  tokenRealms?: readonly string[] | undefined;
  limits?: RegistryLimits | undefined;
  /** Requests in flight while listing (the HTTP client caps them too). */
  concurrency: number;
  /** core's client: every body the registry sends is read capped (maxBodyBytes, see RegistryClient). */
  http: HttpClient;
}

const GLOB_CHARS = /[*?[\]{}!()+@]/;
/** Child manifests of an index read to date it; the newest one's `created` is the index's. */
const MAX_INDEX_CHILDREN = 16;

/**
 * Image manifests of an OCI registry. Every tag of every matching repository is resolved to
 * its digest, so a digest is a candidate only when every tag on it is (deleting a digest deletes
 * all its tags); its age is the image config's `created`.
 */
export class RegistryProvider implements Provider<ImageResource> {
  readonly kind = ProviderKind.Registry;
  readonly location: string;
  readonly #options: RegistryProviderOptions;
  readonly #client: RegistryClient;
  readonly #selected: RegExp | undefined;
  readonly #protected: RegExp[];
  readonly #created = new Map<string, Promise<number | undefined>>();
  /** Manifest bodies by `<repository>@<digest>`: read once for dating and for the dependency graph. */
  readonly #manifests = new Map<string, Promise<Awaited<ReturnType<RegistryClient['manifest']>>>>();
  /** Protected tags seen per repository while listing, re-resolved before the first delete there. */
  readonly #protectedTags = new Map<string, string[]>();
  readonly #guards = new Map<string, Promise<Map<string, string>>>();

  constructor(options: RegistryProviderOptions) {
    this.#options = options;
    this.#client = new RegistryClient({
      url: options.url,
      http: options.http,
      auth: options.auth,
      pageSize: options.pageSize,
      tokenRealms: options.tokenRealms,
      limits: options.limits,
    });
    this.location = this.#client.origin;
    this.#selected = options.tags === undefined ? undefined : new RegExp(options.tags);
    this.#protected = (options.protectTags ?? []).map((pattern) => new RegExp(pattern));
  }

  async list(ctx: ProviderContext): Promise<Listing<ImageResource>> {
    const { signal } = ctx;
    const client = this.#client;
    await client.ping(signal);
    const { repositories, rule, concurrency } = this.#options;
    const literal = repositories.every((pattern) => !GLOB_CHARS.test(pattern));
    let names: string[];
    if (literal) names = [...new Set(repositories)];
    else {
      const isMatch = compileNameGlobs(repositories);
      const catalog = await client.catalog(signal);
      names = catalog.filter((name) => isMatch(name));
      if (names.length === 0) {
        throw new PermanentError(
          `rule "${rule}": no repository of ${this.location} matches ${repositories.join(', ')} (the catalog lists ${catalog.length})`,
          {
            hint: 'check the rule\'s repositories: a pattern that matches nothing is never "nothing to delete"',
          },
        );
      }
    }
    const perRepository = await mapConcurrently(
      names,
      async (repository) => {
        const tags = await client.tags(repository, signal);
        if (tags === undefined) {
          if (literal) {
            throw new PermanentError(
              `rule "${rule}": repository ${repository} is not known to ${this.location}`,
              {
                hint: 'check the repository name in the rule',
              },
            );
          }
          return { items: [], scanned: 0, dependencies: [], tagDigests: undefined };
        }
        return { ...(await this.#listRepository(repository, tags, ctx)), scanned: tags.length };
      },
      { concurrency: Math.ceil(concurrency / 4), signal },
    );
    return {
      items: perRepository.flatMap((one) => one.items),
      housekeeping: [],
      dependencies: perRepository.flatMap((one) => one.dependencies),
      tagDigests: Object.fromEntries(
        names.flatMap((name, i) => {
          const tags = perRepository[i]?.tagDigests;
          return tags ? [[name, tags]] : [];
        }),
      ),
      scanned: perRepository.reduce((sum, one) => sum + one.scanned, 0),
    };
  }

  describe(resource: ImageResource): string {
    return describeResource(resource);
  }

  async delete(resource: ImageResource, ctx: ProviderContext): Promise<DeleteOutcome> {
    // a protected tag moved onto this digest since the plan (a rollback by re-tagging) keeps it
    const guards = await this.#guardsOf(resource.repository, ctx.signal);
    const moved = [...guards].filter(([, digest]) => digest === resource.digest).map(([tag]) => tag);
    if (moved.length > 0) {
      throw new PermanentError(
        `${resource.repository}@${resource.digest} not deleted: protected tag ${moved.join(', ')} points at it now`,
        { hint: 'a protected tag moved since the plan; run the plan again' },
      );
    }
    const result = await this.#client.deleteManifest(resource.repository, resource.digest, ctx.signal);
    return { status: result === 'deleted' ? DeleteStatus.Deleted : DeleteStatus.AlreadyGone };
  }

  #guardsOf(repository: string, signal?: AbortSignal): Promise<Map<string, string>> {
    let pending = this.#guards.get(repository);
    if (!pending) {
      const tags = this.#protectedTags.get(repository) ?? [];
      pending = mapConcurrently(
        tags,
        async (tag) => ({ tag, manifest: await this.#client.resolve(repository, tag, signal) }),
        { concurrency: this.#options.concurrency, signal },
      ).then((resolved) => {
        const map = new Map<string, string>();
        for (const { tag, manifest } of resolved) if (manifest) map.set(tag, manifest.digest);
        return map;
      });
      this.#guards.set(repository, pending);
    }
    return pending;
  }

  async #listRepository(
    repository: string,
    tags: string[],
    ctx: ProviderContext,
  ): Promise<{
    items: SelectItem<ImageResource>[];
    dependencies: Dependency[];
    tagDigests: Record<string, string>;
  }> {
    const { signal, logger } = ctx;
    const resolved = await mapConcurrently(
      tags,
      async (tag) => ({ tag, manifest: await this.#client.resolve(repository, tag, signal) }),
      { concurrency: this.#options.concurrency, signal },
    );
    const tagDigests: Record<string, string> = {};
    const byDigest = new Map<string, { mediaType: string | undefined; tags: TagFacts[] }>();
    for (const { tag, manifest } of resolved) {
      if (!manifest) {
        logger.warn({ repository, tag }, 'tag vanished while listing; left out');
        continue;
      }
      tagDigests[tag] = manifest.digest;
      const entry = byDigest.get(manifest.digest) ?? { mediaType: manifest.mediaType, tags: [] };
      entry.tags.push({
        name: tag,
        selected: this.#selected === undefined || this.#selected.test(tag),
        protected: this.#protected.some((pattern) => pattern.test(tag)),
      });
      byDigest.set(manifest.digest, entry);
    }
    this.#protectedTags.set(
      repository,
      [...byDigest.values()].flatMap((entry) =>
        entry.tags.filter((tag) => tag.protected).map((tag) => tag.name),
      ),
    );
    const selected = [...byDigest.entries()].filter(([, entry]) => entry.tags.some((tag) => tag.selected));
    const dependencies = await manifestDependencies(
      repository,
      [...byDigest.entries()].map(([digest, entry]) => ({
        digest,
        mediaType: entry.mediaType,
        tags: entry.tags.map((tag) => tag.name),
        selected: entry.tags.some((tag) => tag.selected),
      })),
      async (digest) => (await this.#manifestOf(repository, digest, signal))?.body,
      this.#options.concurrency,
    );
    const items = await mapConcurrently(
      selected,
      async ([digest, entry]) => {
        const createdMs = await this.#createdOf(repository, digest, entry.mediaType, signal);
        const tagNames = entry.tags.map((tag) => tag.name).sort();
        return {
          key: `${repository}@${digest}`,
          group: repository,
          createdMs,
          blocked: tagSafety(entry.tags),
          resource: {
            type: 'image',
            repository,
            digest,
            tags: tagNames,
            mediaType: entry.mediaType,
            created: createdMs === undefined ? undefined : new Date(createdMs).toISOString(),
          },
        } satisfies SelectItem<ImageResource>;
      },
      { concurrency: this.#options.concurrency, signal },
    );
    return { items, dependencies, tagDigests };
  }

  #manifestOf(repository: string, digest: string, signal?: AbortSignal) {
    const key = `${repository}@${digest}`;
    let pending = this.#manifests.get(key);
    if (!pending) {
      pending = this.#client.manifest(repository, digest, signal);
      this.#manifests.set(key, pending);
    }
    return pending;
  }

  /** The image config's `created`; for an index, the newest of its images'. Undefined when unknown. */
  #createdOf(repository: string, digest: string, mediaType: string | undefined, signal?: AbortSignal) {
    const key = `${repository}@${digest}`;
    let pending = this.#created.get(key);
    if (!pending) {
      pending = this.#readCreated(repository, digest, mediaType, signal, 0);
      this.#created.set(key, pending);
    }
    return pending;
  }

  async #readCreated(
    repository: string,
    digest: string,
    mediaType: string | undefined,
    signal: AbortSignal | undefined,
    depth: number,
  ): Promise<number | undefined> {
    const manifest = await this.#manifestOf(repository, digest, signal);
    if (!manifest) return undefined;
    const body = manifest.body;
    if (isIndex(manifest.mediaType ?? mediaType) || Array.isArray(body.manifests)) {
      if (depth > 0) return undefined;
      const children = (Array.isArray(body.manifests) ? body.manifests : [])
        .map((child) => (child as { digest?: unknown }).digest)
        .filter((child): child is string => typeof child === 'string')
        .slice(0, MAX_INDEX_CHILDREN);
      const dates = await Promise.all(
        children.map((child) => this.#readCreated(repository, child, undefined, signal, depth + 1)),
      );
      const known = dates.filter((date): date is number => date !== undefined);
      return known.length === 0 ? undefined : Math.max(...known);
    }
    const config = (body.config as { digest?: unknown } | undefined)?.digest;
    if (typeof config !== 'string') return undefined;
    const blob = (await this.#client.blobJson(repository, config, signal)) as
      | { created?: unknown }
      | undefined;
    const created = typeof blob?.created === 'string' ? Date.parse(blob.created) : Number.NaN;
    return Number.isFinite(created) ? created : undefined;
  }
}
