import type { HttpClient, ReadIO } from '@tempered/core';
import type { CleanupOptions } from '../options.js';
import type { Listing, Provider, ProviderKindValue } from '../provider/types.js';
import { createProvider } from './createProvider.js';
import { ruleError } from './ruleError.js';

/** One rule's target as read: what its provider listed. */
export interface RuleListing {
  rule: string;
  provider: ProviderKindValue;
  location: string;
  listing: Listing;
}

/** What a cleanup is planned from: every chosen rule's listing, read at `now`. */
export interface CleanupWorld {
  now: number;
  rules: RuleListing[];
  /** The providers that listed, by rule: the applier deletes through them. */
  providers: ReadonlyMap<string, Provider>;
}

/**
 * Lists every rule's target, in config order. A target that cannot be listed stops the run with
 * the rule named: it is never "nothing to delete".
 */
export async function readRules(options: CleanupOptions, io: ReadIO): Promise<CleanupWorld> {
  const now = Date.now();
  let http: Promise<HttpClient> | undefined;
  const run = {
    runId: io.runId,
    now,
    concurrency: options.concurrency,
    // one client for every registry request: the bodies it reads are capped per request
    // (maxBodyBytes, see RegistryClient), its semaphore bounds the requests in flight
    http: () => {
      http ??= io.http({ concurrency: options.concurrency });
      return http;
    },
  };
  const rules: RuleListing[] = [];
  const providers = new Map<string, Provider>();
  for (const rule of options.rules) {
    const logger = io.logger.child({ rule: rule.name, provider: rule.provider });
    let provider: Provider;
    let listing: Listing;
    try {
      provider = await createProvider(rule, run);
      listing = await provider.list({ logger, signal: io.signal });
    } catch (error) {
      throw ruleError(rule.name, error);
    }
    logger.info(
      {
        location: provider.location,
        scanned: listing.scanned,
        listed: listing.items.length + listing.housekeeping.length,
      },
      'rule listed',
    );
    providers.set(rule.name, provider);
    rules.push({ rule: rule.name, provider: provider.kind, location: provider.location, listing });
  }
  return { now, rules, providers };
}
