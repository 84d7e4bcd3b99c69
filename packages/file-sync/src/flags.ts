import { Flags } from '@oclif/core';

/** `file-sync sync`'s own flags; core adds the standard ones (--config, -e, --dry-run, --yes...). */
export const syncFlags = {
  checksum: Flags.boolean({
    summary: 'Compare files of equal size by content (sha256), not mtime.',
    allowNo: true,
  }),
  delete: Flags.boolean({
    summary: 'Delete destination entries the source lacks, after every copy succeeded.',
    allowNo: true,
  }),
  'max-delete': Flags.integer({
    summary: 'Most deletions allowed in one run; over it nothing is deleted, exit 3 (default 1000).',
    min: 0,
  }),
  include: Flags.string({
    summary: 'Only files matching this glob (repeatable); directories are always descended.',
    multiple: true,
    multipleNonGreedy: true,
  }),
  exclude: Flags.string({
    summary:
      "Leave out entries matching this glob (repeatable; 'name/' for directories only); never deleted.",
    multiple: true,
    multipleNonGreedy: true,
  }),
  symlinks: Flags.option({
    summary: 'preserve: copy links as links; follow: copy what they point to, inside SOURCE only; skip.',
    options: ['preserve', 'follow', 'skip'] as const,
  })(),
  concurrency: Flags.integer({ summary: 'Actions in flight at once (default 8).', min: 1, max: 256 }),
  fsync: Flags.boolean({
    summary: 'fsync every file before its rename, and the directories at the end (default off, like rsync).',
    allowNo: true,
  }),
  'allow-empty-source': Flags.boolean({
    summary: 'Sync a missing or empty SOURCE instead of refusing (with --delete: empties DESTINATION).',
    allowNo: true,
  }),
};
