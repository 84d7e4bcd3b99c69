import { defineSection, JobCommand } from '@tempered/core';
import { cleanupFlags } from '../flags.js';
import { cleanupJob } from '../job/cleanupJob.js';
import { cleanupSection } from '../section.js';

export default class Run extends JobCommand {
  static override summary =
    'Delete what the rules select: plan first, confirm, then delete within --max-delete.';
  static override description =
    'Lists every rule\'s target (directories, registry repositories), decides per resource (protected, kept by keepLatest, too new, shared digest, or delete), and deletes the candidates: only with --yes (or the environment name typed at a terminal), only when the plan stays within --max-delete, each deletion journaled and audited before and after. A target that cannot be listed is an error, never "nothing to delete". A re-run after a crash continues without repeating completed deletions.';
  static override examples = [
    '<%= config.bin %> plan -e ci',
    '<%= config.bin %> run -e ci --yes',
    '<%= config.bin %> run -e ci --rule ci-image-tags --max-delete 500 --yes --json',
    '<%= config.bin %> run -e ci --dry-run --plan-out cleanup.plan.json',
    '<%= config.bin %> run --config /etc/tempered/cleanup.yml -e prod --yes --quiet --log-file /var/log/tempered/cleanup.log',
    '<%= config.bin %> run -e ci --yes --log-level debug --state-dir /var/lib/tempered --lock-wait 5m',
  ];
  static override flags = cleanupFlags;
  static override sectionSchema = defineSection(cleanupSection);
  static override job = cleanupJob;
}
