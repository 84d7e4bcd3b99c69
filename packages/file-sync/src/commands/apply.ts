import { ApplyCommand, defineSection } from '@tempered/core';
import { syncJob } from '../job/syncJob.js';
import { syncSection } from '../section.js';

export default class Apply extends ApplyCommand {
  static override examples = [
    '<%= config.bin %> sync ./site /srv/www --delete --dry-run --plan-out www.plan && <%= config.bin %> apply www.plan --yes',
    '<%= config.bin %> apply www.plan --config /etc/tempered/file-sync.yml -e prod --yes --json',
    '<%= config.bin %> apply www.plan --quiet --lock-wait 10m --log-level debug --log-file /var/log/tempered/file-sync.log --state-dir /var/lib/tempered',
  ];
  static override sectionSchema = defineSection(syncSection);
  static override jobs = { sync: syncJob };
}
