import type { HttpClient } from '@tempered/core';
import { FsProvider } from '../fs/FsProvider.js';
import type { ResolvedRule } from '../options.js';
import type { Provider, Resource } from '../provider/types.js';
import { DEFAULT_REGISTRY_LIMITS } from '../registry/limits.js';
import { RegistryProvider } from '../registry/RegistryProvider.js';

export interface ProviderContextOfRun {
  /** Names the fs rules' trash batch of this run. */
  runId: string;
  now: number;
  concurrency: number;
  /** One client for every registry rule, made on first use (undici loads only then). */
  http: () => Promise<HttpClient>;
}

/** The provider of one rule: its directory, or its registry through the run's HTTP client. */
export async function createProvider(rule: ResolvedRule, run: ProviderContextOfRun): Promise<Provider> {
  if (rule.provider === 'fs') {
    return new FsProvider({
      rule: rule.name,
      path: rule.path,
      match: rule.match,
      protect: rule.protect,
      trash: rule.trash,
      trashRetentionMs: rule.trashRetentionMs,
      runId: run.runId,
      now: run.now,
    }) as Provider<Resource> as Provider;
  }
  return new RegistryProvider({
    rule: rule.name,
    url: rule.url,
    repositories: rule.repositories,
    tags: rule.tags,
    protectTags: rule.protectTags,
    auth: rule.auth,
    pageSize: rule.pageSizeResolved,
    tokenRealms: rule.tokenRealms,
    limits: {
      maxPages: rule.maxPages ?? DEFAULT_REGISTRY_LIMITS.maxPages,
      maxPageBytes: rule.maxPageBytes ?? DEFAULT_REGISTRY_LIMITS.maxPageBytes,
      maxManifestBytes: rule.maxManifestBytes ?? DEFAULT_REGISTRY_LIMITS.maxManifestBytes,
    },
    concurrency: run.concurrency,
    http: await run.http(),
  }) as Provider<Resource> as Provider;
}
