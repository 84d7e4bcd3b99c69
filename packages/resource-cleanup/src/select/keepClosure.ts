import type { Decision } from './selectItems.js';

/** While `from` stays, `to` must stay too: an index and its manifests, a manifest and its referrers. */
export interface Dependency {
  from: string;
  to: string;
  /** What `to` is to `from`, for the plan: `a manifest of index app/web@sha256:0123… [latest]`. */
  why: string;
}

/**
 * Deleting what something that stays still needs breaks it: an index kept by a protected tag
 * cannot be pulled once one of its manifests is deleted through another tag. So the kept set is
 * closed: from everything that stays (kept items, and keys that are no item of this rule at all)
 * every dependency is followed, recursively, and a deletion it reaches becomes a skip that says
 * why. Pure, like selectItems.
 */
export function keepClosure<R>(
  decisions: readonly Decision<R>[],
  dependencies: readonly Dependency[],
): Decision<R>[] {
  if (dependencies.length === 0) return [...decisions];
  const byKey = new Map(decisions.map((decision) => [decision.item.key, { ...decision }]));
  const outgoing = new Map<string, Dependency[]>();
  for (const dependency of dependencies) {
    const list = outgoing.get(dependency.from) ?? [];
    list.push(dependency);
    outgoing.set(dependency.from, list);
  }
  const stays = (key: string) => byKey.get(key)?.delete !== true;
  const queue = [...outgoing.keys()].filter(stays);
  const seen = new Set(queue);
  while (queue.length > 0) {
    const from = queue.shift() as string;
    for (const dependency of outgoing.get(from) ?? []) {
      const target = byKey.get(dependency.to);
      if (target?.delete) {
        const because = byKey.get(from)?.reason ?? 'not selected by the rule';
        target.delete = false;
        target.reason = `kept: ${dependency.why}, which stays (${because})`;
      }
      if (!seen.has(dependency.to)) {
        seen.add(dependency.to);
        queue.push(dependency.to);
      }
    }
  }
  return decisions.map((decision) => byKey.get(decision.item.key) ?? decision);
}
