import { mapConcurrently } from '@tempered/core';
import type { Dependency } from '../select/keepClosure.js';
import { shortDigest } from '../util/format.js';
import { isIndex } from './mediaTypes.js';

/** One tagged digest of a repository, as the listing resolved it. */
export interface TaggedDigest {
  digest: string;
  mediaType: string | undefined;
  tags: readonly string[];
  /** Has a tag the rule selects: it may be deleted, so what it refers to matters. */
  selected: boolean;
}

export type ReadManifest = (digest: string) => Promise<Record<string, unknown> | undefined>;

/** Nested indexes followed this deep; deeper ones are not made by any tool we know. */
const MAX_DEPTH = 4;
/** The cosign / OCI 1.1 fallback tag of a referrer: `sha256-<hex>`, `sha256-<hex>.sig`, `.att`... */
const REFERRER_TAG = /^(sha256)-([0-9a-f]{64})(?:\..*)?$/;

/**
 * What each manifest of a repository needs to stay whole: every index (any tag) needs its
 * manifests, recursively; a manifest needs its referrers (signatures, attestations, SBOMs),
 * found by their `subject` or by their fallback tag. Keys are `<repository>@<digest>`, as items.
 */
export async function manifestDependencies(
  repository: string,
  tagged: readonly TaggedDigest[],
  read: ReadManifest,
  concurrency: number,
): Promise<Dependency[]> {
  const key = (digest: string) => `${repository}@${digest}`;
  const tagsOf = new Map(tagged.map((entry) => [entry.digest, entry.tags]));
  const name = (digest: string) => {
    const tags = tagsOf.get(digest);
    return `${repository}@${shortDigest(digest)}${tags?.length ? ` [${[...tags].sort().join(', ')}]` : ''}`;
  };
  const out: Dependency[] = [];
  const walked = new Set<string>();
  const walk = async (digest: string, depth: number): Promise<void> => {
    if (walked.has(digest) || depth > MAX_DEPTH) return;
    walked.add(digest);
    const manifests = (await read(digest))?.manifests;
    if (!Array.isArray(manifests)) return;
    const nested: string[] = [];
    for (const child of manifests as { digest?: unknown; mediaType?: unknown }[]) {
      if (typeof child?.digest !== 'string') continue;
      out.push({ from: key(digest), to: key(child.digest), why: `a manifest of index ${name(digest)}` });
      if (typeof child.mediaType !== 'string' || isIndex(child.mediaType)) nested.push(child.digest);
    }
    for (const child of nested) await walk(child, depth + 1);
  };
  // an index's media type from HEAD decides; a registry that gave none is read to find out
  const maybeIndexes = tagged.filter((entry) => entry.mediaType === undefined || isIndex(entry.mediaType));
  await mapConcurrently(maybeIndexes, (entry) => walk(entry.digest, 0), { concurrency });
  await mapConcurrently(
    tagged.filter((entry) => entry.selected),
    async (entry) => {
      const subject = ((await read(entry.digest))?.subject as { digest?: unknown } | undefined)?.digest;
      if (typeof subject === 'string')
        out.push({ from: key(subject), to: key(entry.digest), why: `a referrer of ${name(subject)}` });
      for (const tag of entry.tags) {
        const match = REFERRER_TAG.exec(tag);
        if (match)
          out.push({
            from: key(`${match[1]}:${match[2]}`),
            to: key(entry.digest),
            why: `a referrer (tag ${tag}) of ${name(`${match[1]}:${match[2]}`)}`,
          });
      }
    },
    { concurrency },
  );
  return out;
}
