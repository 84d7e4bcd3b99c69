import { formatBytes, type PlanAction } from '@tempered/core';
import type { ResolvedRule } from '../options.js';
import type { CleanupDetails, Listing, Provider, Resource } from '../provider/types.js';
import { keepClosure } from '../select/keepClosure.js';
import { selectItems } from '../select/selectItems.js';

export interface RulePlan {
  rule: string;
  provider: string;
  scanned: number;
  actions: PlanAction<CleanupDetails>[];
}

/**
 * One rule's actions: a `delete` for each resource selectItems lets go (and each housekeeping
 * item), a `skip` for each one it keeps, with its reason. Ids name the resource, not the run,
 * so an interrupted run's completed deletions are recognised by the next one.
 */
export function buildRuleActions<R extends Resource>(
  rule: ResolvedRule,
  provider: Pick<Provider<R>, 'kind' | 'describe'>,
  listing: Listing<R>,
  now: number,
): RulePlan {
  const selected = selectItems(listing.items, {
    now,
    olderThanMs: rule.olderThanMs,
    olderThanLabel: rule.olderThan === undefined ? undefined : String(rule.olderThan),
    keepLatest: rule.keepLatest,
    groupLabel: (group) => (provider.kind === 'fs' ? `of ${group}` : `in ${group}`),
  });
  const decisions = keepClosure(selected, listing.dependencies ?? []);
  const actions: PlanAction<CleanupDetails>[] = [];
  for (const { item, delete: remove, reason } of decisions) {
    const size = sizeOf(item.resource);
    actions.push({
      id: `${remove ? 'delete' : 'skip'}:${rule.name}:${item.key}`,
      kind: remove ? 'delete' : 'skip',
      target: `${rule.name}: ${provider.describe(item.resource)}`,
      reason: size === undefined ? reason : `${reason}; ${formatBytes(size)}`,
      details: { rule: rule.name, provider: provider.kind, resource: item.resource },
    });
  }
  for (const extra of listing.housekeeping) {
    actions.push({
      id: `delete:${rule.name}:${extra.key}`,
      kind: 'delete',
      target: `${rule.name}: ${provider.describe(extra.resource)}`,
      reason: extra.reason,
      details: { rule: rule.name, provider: provider.kind, resource: extra.resource },
    });
  }
  return {
    rule: rule.name,
    provider: provider.kind,
    scanned: listing.scanned,
    actions,
  };
}

function sizeOf(resource: Resource): number | undefined {
  return resource.type === 'fs-entry' && resource.entry !== 'symlink' ? resource.size : undefined;
}
