import { formatAge } from '@tempered/core';

/** One thing a rule selected, with the facts the decision needs. */
export interface SelectItem<R> {
  /** Stable within its rule between runs: it names the plan action and its journal entry. */
  key: string;
  /** keepLatest counts per group (a registry repository; one group for an fs rule). */
  group: string;
  /** When it was made (mtime, image `created`), ms since the epoch; undefined when unknown. */
  createdMs: number | undefined;
  /** Why the provider already knows it must stay (protected, a symlink, a shared digest). */
  blocked?: string | undefined;
  /** False for what is never a candidate by its nature (a symlink): it takes no keepLatest place. */
  ranked?: boolean | undefined;
  resource: R;
}

export interface SelectOptions {
  now: number;
  olderThanMs?: number | undefined;
  /** `olderThan` as written in the config, for the reasons. */
  olderThanLabel?: string | undefined;
  keepLatest?: number | undefined;
  /** Names a group in the "kept" reason, e.g. `in app/web`. */
  groupLabel?: (group: string) => string;
}

export interface Decision<R> {
  item: SelectItem<R>;
  delete: boolean;
  reason: string;
}

/**
 * Decides for each item, in this order: blocked by the provider (protected...), kept as one of
 * the `keepLatest` newest of its group (protected items count too, symlinks do not; an
 * unknown age counts as newest), too new for `olderThan` (an unknown age is never old enough),
 * else a deletion. Pure: the plan shown by --dry-run is exactly this.
 */
export function selectItems<R>(items: readonly SelectItem<R>[], options: SelectOptions): Decision<R>[] {
  const kept = keptKeys(items, options.keepLatest);
  const cutoff = options.olderThanMs === undefined ? undefined : options.now - options.olderThanMs;
  const label = options.olderThanLabel ?? `${options.olderThanMs}ms`;
  return items.map((item) => {
    const age =
      item.createdMs === undefined ? 'age unknown' : `age ${formatAge(options.now - item.createdMs)}`;
    if (item.blocked !== undefined) return { item, delete: false, reason: item.blocked };
    if (kept.has(item.key)) {
      const label = options.groupLabel?.(item.group) ?? '';
      const where = label === '' ? '' : ` ${label}`;
      return {
        item,
        delete: false,
        reason: `kept: one of the ${options.keepLatest} newest${where} (${age})`,
      };
    }
    if (cutoff !== undefined) {
      if (item.createdMs === undefined)
        return { item, delete: false, reason: `age unknown, so never older than ${label}` };
      if (item.createdMs > cutoff)
        return { item, delete: false, reason: `too new: ${age}, olderThan ${label}` };
      return { item, delete: true, reason: `${age}, older than ${label}` };
    }
    if (options.keepLatest !== undefined)
      return { item, delete: true, reason: `${age}, beyond the ${options.keepLatest} newest` };
    return { item, delete: true, reason: `${age}, selected by the rule` };
  });
}

/** Per group, the keys of the N newest items; ties broken by key so the choice is stable. */
function keptKeys<R>(items: readonly SelectItem<R>[], keepLatest: number | undefined): Set<string> {
  const kept = new Set<string>();
  if (keepLatest === undefined || keepLatest <= 0) return kept;
  const groups = new Map<string, SelectItem<R>[]>();
  for (const item of items) {
    if (item.ranked === false) continue;
    const list = groups.get(item.group) ?? [];
    list.push(item);
    groups.set(item.group, list);
  }
  for (const list of groups.values()) {
    const newestFirst = [...list].sort(
      (a, b) =>
        (b.createdMs ?? Number.POSITIVE_INFINITY) - (a.createdMs ?? Number.POSITIVE_INFINITY) ||
        (a.key < b.key ? -1 : a.key > b.key ? 1 : 0),
    );
    for (const item of newestFirst.slice(0, keepLatest)) kept.add(item.key);
  }
  return kept;
}
