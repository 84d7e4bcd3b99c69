import { ApplyCommand, defineSection } from '@tempered/core';
import { releaseJob } from '../job/releaseJob.js';
import { rollbackJob } from '../job/rollbackJob.js';
import { deploySection } from '../section.js';

export default class Apply extends ApplyCommand {
  static override examples = [
    '<%= config.bin %> release ./build -e prod --dry-run --plan-out release.plan',
    '<%= config.bin %> apply release.plan --yes',
    '<%= config.bin %> apply release.plan --yes --quiet --config /etc/tempered/deploy.yml --lock-wait 5m',
    '<%= config.bin %> apply rollback.plan --yes --json --log-level debug --log-file /var/log/deploy.log --state-dir /var/lib/tempered',
  ];
  static override sectionSchema = defineSection(deploySection);
  static override jobs = { release: releaseJob, rollback: rollbackJob };
}
