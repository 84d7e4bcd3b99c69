import { Args } from '@oclif/core';
import { defineSection, JobCommand } from '@tempered/core';
import { syncFlags } from '../flags.js';
import { syncJob } from '../job/syncJob.js';
import { syncSection } from '../section.js';

export default class Sync extends JobCommand {
  static override summary = 'Make DESTINATION hold what SOURCE holds: plan, then copy atomically.';
  static override description =
    `Compares by size and mtime (or content with --checksum), copies new and changed files through a temp file renamed into place, preserves mtime and mode, and with --delete removes what the source lacks, after every copy succeeded and within --max-delete. A re-run after success copies nothing; a re-run after a kill finishes the rest. SOURCE and DESTINATION may come from the config's file-sync section instead. With --dry-run --plan-out FILE the plan is saved for "file-sync apply FILE" after review.`;
  static override examples = [
    '<%= config.bin %> sync ./site /srv/www --dry-run',
    '<%= config.bin %> sync ./site /srv/www --delete --max-delete 50',
    '<%= config.bin %> sync -e prod --yes --json',
    "<%= config.bin %> sync src dst --exclude '*.tmp' --exclude 'cache/' --checksum",
    '<%= config.bin %> sync ./site /srv/www --delete --dry-run --plan-out www.plan',
    '<%= config.bin %> sync --config /etc/tempered/file-sync.yml -e prod --yes --quiet --lock-wait 10m --log-file /var/log/tempered/file-sync.log',
    '<%= config.bin %> sync ./site /srv/www --state-dir /var/lib/tempered --log-level debug',
  ];
  static override args = {
    source: Args.string({ description: 'Directory to copy from (default: file-sync.source in the config).' }),
    destination: Args.string({
      description: 'Directory to copy into, created if missing (default: file-sync.destination).',
    }),
  };
  static override flags = syncFlags;
  static override sectionSchema = defineSection(syncSection);
  static override job = syncJob;
}
