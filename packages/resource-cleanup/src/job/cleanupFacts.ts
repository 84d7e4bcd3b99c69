import type { Resource } from '../provider/types.js';
import type { CleanupWorld } from './readRules.js';

/**
 * What a saved cleanup plan depends on, keyed `<rule>:<what>` so a drift line names it: every
 * listed resource with what its decision weighs (fs: type, size, mtime; a trash batch: when it
 * was moved; an image: digest, tags, created), and for registry rules every tag of each
 * repository with its digest and the repository's tag list (a pushed or moved tag is drift).
 */
export function cleanupFacts(world: CleanupWorld): Record<string, string> {
  const facts: Record<string, string> = {};
  for (const { rule, listing } of world.rules) {
    for (const item of listing.items) facts[`${rule}:${item.key}`] = factOf(item.resource);
    for (const extra of listing.housekeeping) facts[`${rule}:${extra.key}`] = factOf(extra.resource);
    for (const [repository, tags] of Object.entries(listing.tagDigests ?? {})) {
      const names = Object.keys(tags).sort();
      facts[`${rule}:tags ${repository}`] = names.join(',') || '(none)';
      for (const tag of names) facts[`${rule}:tag ${repository}:${tag}`] = tags[tag] ?? '';
    }
  }
  return facts;
}

function factOf(resource: Resource): string {
  switch (resource.type) {
    case 'fs-entry':
      return `${resource.entry} size=${resource.size} mtime=${new Date(resource.mtimeMs).toISOString()}`;
    case 'trash-batch':
      return `trash batch moved=${resource.movedAt}`;
    case 'image':
      return `${resource.digest} tags=${resource.tags.join(',')} created=${resource.created ?? 'unknown'}`;
  }
}
