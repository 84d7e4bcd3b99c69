import { ApplyCommand, defineSection } from '@tempered/core';
import { cleanupJob } from '../job/cleanupJob.js';
import { cleanupSection } from '../section.js';

/** `resource-cleanup apply FILE`: a plan saved by `plan --plan-out` or `run --dry-run --plan-out`. */
export default class Apply extends ApplyCommand {
  static override examples = [
    '<%= config.bin %> plan -e ci --plan-out cleanup.plan.json && <%= config.bin %> apply cleanup.plan.json --yes',
    '<%= config.bin %> apply cleanup.plan.json -e ci --yes --json --lock-wait 5m',
    '<%= config.bin %> apply cleanup.plan.json --config /etc/tempered/cleanup.yml --yes --quiet --log-level debug --log-file /var/log/tempered/cleanup.log --state-dir /var/lib/tempered',
  ];
  static override sectionSchema = defineSection(cleanupSection);
  static override jobs = { run: cleanupJob, plan: cleanupJob };
}
