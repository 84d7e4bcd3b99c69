import { Flags, type Interfaces } from '@oclif/core';

/** `resource-cleanup run`'s own flags; core adds the standard ones (--config, -e, --dry-run, --yes...). */
export const cleanupFlags = {
  rule: Flags.string({
    summary: 'Only this rule of the config (repeatable); default: every rule.',
    multiple: true,
    multipleNonGreedy: true,
  }),
  'max-delete': Flags.integer({
    summary: 'Most deletions in one run, over every rule; over it nothing is deleted, exit 3 (default 100).',
    min: 0,
  }),
  concurrency: Flags.integer({
    summary: 'Deletions and registry requests in flight at once (default 8).',
    min: 1,
    max: 256,
  }),
};

/** The parsed values of those flags, typed (`flags['max-delete']` is a number or undefined). */
export type CleanupFlags = Interfaces.InferredFlags<typeof cleanupFlags>;
