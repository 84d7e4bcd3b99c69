import type { Logger } from '@tempered/core';
import type { Dependency } from '../select/keepClosure.js';
import type { SelectItem } from '../select/selectItems.js';

export const ProviderKind = { Fs: 'fs', Registry: 'registry' } as const;
export type ProviderKindValue = (typeof ProviderKind)[keyof typeof ProviderKind];

/** A file or directory under an fs rule's `path` (`path` is relative to it, '/'-separated). */
export interface FsEntryResource {
  type: 'fs-entry';
  path: string;
  entry: 'file' | 'dir' | 'symlink' | 'other';
  /** For a directory: the newest mtime in its tree. */
  mtimeMs: number;
  /** For a directory: the bytes of every file in its tree. */
  size: number;
}

/** One run's batch of moved entries of one rule in the trash directory, due for purging. */
export interface TrashBatchResource {
  type: 'trash-batch';
  /** `<batch>/<rule>`, relative to the trash directory. */
  path: string;
  movedAt: string;
}

/** One manifest (image or index) of one repository, with every tag pointing at it. */
export interface ImageResource {
  type: 'image';
  repository: string;
  digest: string;
  tags: string[];
  mediaType: string | undefined;
  /** The image config's `created` (for an index: its newest image's), if known. */
  created: string | undefined;
}

export type Resource = FsEntryResource | TrashBatchResource | ImageResource;

/** Everything apply needs of one action: which rule and provider, and what to delete. */
export interface CleanupDetails {
  rule: string;
  provider: ProviderKindValue;
  resource: Resource;
  [key: string]: unknown;
}

export interface Listing<R extends Resource = Resource> {
  /** What the rule selects, before age, keepLatest and protection are weighed (selectItems does). */
  items: SelectItem<R>[];
  /** Deleted whatever their age (a trash batch past its retention). */
  housekeeping: { key: string; resource: R; reason: string }[];
  /** Resources looked at, matched or not. */
  scanned: number;
  /** What must stay while something else stays (an index's manifests, referrers); see keepClosure. */
  dependencies?: Dependency[] | undefined;
  /**
   * Registry: every tag of each listed repository and the digest it resolved to, selected or
   * not; a saved plan depends on them (a new or moved tag is drift).
   */
  tagDigests?: Record<string, Record<string, string>> | undefined;
}

export const DeleteStatus = {
  Deleted: 'deleted',
  Moved: 'moved-to-trash',
  AlreadyGone: 'already-gone',
  /** Changed since the plan (newer now, or replaced): left for the next run. */
  Changed: 'changed',
} as const;
export type DeleteStatusValue = (typeof DeleteStatus)[keyof typeof DeleteStatus];

export interface DeleteOutcome {
  status: DeleteStatusValue;
  detail?: string;
}

export interface ProviderContext {
  logger: Logger;
  signal?: AbortSignal | undefined;
}

/**
 * What a rule's target offers: list, describe, delete. A provider that cannot reach or read its
 * target throws from list(): it never answers with an empty listing, because "nothing to delete"
 * must mean the target was read and holds nothing stale.
 */
export interface Provider<R extends Resource = Resource> {
  readonly kind: ProviderKindValue;
  /** Where the rule acts (a directory, a registry URL), for the plan and the logs. */
  readonly location: string;
  list(ctx: ProviderContext): Promise<Listing<R>>;
  /** One short line naming the resource in the plan (`build-1.tar.gz`, `app/web@sha256:0123… [ci-1]`). */
  describe(resource: R): string;
  /** Idempotent: a resource already gone is `already-gone`, not an error. */
  delete(resource: R, ctx: ProviderContext): Promise<DeleteOutcome>;
}
