/** One tag pointing at a digest, as the rule sees it. */
export interface TagFacts {
  name: string;
  /** Matches the rule's `tags` regex (every tag when it has none). */
  selected: boolean;
  /** Matches one of `protectTags`; wins over `selected`. */
  protected: boolean;
}

/**
 * Deleting a manifest by digest removes every tag pointing at it, so a digest may go only when
 * every one of its tags is a candidate. Returns why it must stay, or undefined when it may go.
 */
export function tagSafety(tags: readonly TagFacts[]): string | undefined {
  const candidates = tags.filter((tag) => tag.selected && !tag.protected);
  const guarded = tags
    .filter((tag) => tag.protected)
    .map((tag) => tag.name)
    .sort();
  const others = tags
    .filter((tag) => !tag.selected && !tag.protected)
    .map((tag) => tag.name)
    .sort();
  if (candidates.length === tags.length) return undefined;
  if (candidates.length === 0) {
    // only protected (and unselected) tags: nothing here was ever a candidate
    return `protected: ${list(guarded)}`;
  }
  const why = [
    ...guarded.map((name) => `${name} (protected)`),
    ...others.map((name) => `${name} (not selected by the rule)`),
  ];
  return `shared digest: ${list(why)} ${why.length === 1 ? 'points' : 'point'} at it too`;
}

function list(names: readonly string[]): string {
  return names.length > 5 ? `${names.slice(0, 5).join(', ')} and ${names.length - 5} more` : names.join(', ');
}
