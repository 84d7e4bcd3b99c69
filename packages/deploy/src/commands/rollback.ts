import { defineSection, JobCommand } from '@tempered/core';
import { hostFlags, messageFlag, rollbackArgs } from '../job/flags.js';
import { rollbackJob } from '../job/rollbackJob.js';
import { deploySection } from '../section.js';

export default class Rollback extends JobCommand {
  static override summary = 'Switch current back to the previous good release, or to RELEASE.';
  static override description =
    'Skips failed and rolled-back releases. Runs the afterSwitch hooks and the health check, like a release; ' +
    'the release rolled back from is marked rolled-back.';
  static override examples = [
    '<%= config.bin %> rollback -e prod --yes',
    '<%= config.bin %> rollback 1.4.1 -e staging',
    '<%= config.bin %> rollback -e staging --dry-run',
    '<%= config.bin %> rollback -e prod --dry-run --plan-out rollback.plan  # review, then: deploy apply rollback.plan --yes',
    '<%= config.bin %> rollback --config /etc/tempered/deploy.yml -e prod --yes --quiet --json --lock-wait 30s',
    '<%= config.bin %> rollback -e staging --log-level debug --log-file /var/log/deploy.log --state-dir /var/lib/tempered',
  ];
  static override args = rollbackArgs;
  static override flags = { ...hostFlags, ...messageFlag };
  static override sectionSchema = defineSection(deploySection);
  static override job = rollbackJob;
}
