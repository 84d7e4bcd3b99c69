import { Flags } from '@oclif/core';
import { jobFlags } from '@tempered/core';
import Run from './run.js';

/** `resource-cleanup plan`: exactly `run --dry-run`. Lists and decides, deletes nothing. */
export default class Plan extends Run {
  static override summary =
    'Show what run would delete and what it keeps, with every reason; deletes nothing.';
  static override description =
    'The same listing and decisions as `run`, printed (as JSON with --json) and nothing else: no lock, no deletion, no journal. With --plan-out the plan is also saved for `apply FILE`.';
  static override examples = [
    '<%= config.bin %> plan -e ci',
    '<%= config.bin %> plan -e ci --rule old-build-artifacts --json',
    '<%= config.bin %> plan -e ci --plan-out cleanup.plan.json',
    '<%= config.bin %> plan --config /etc/tempered/cleanup.yml -e prod --quiet --log-level debug --log-file /var/log/tempered/cleanup.log --state-dir /var/lib/tempered',
  ];
  // plan is a dry-run already: --plan-out needs no --dry-run beside it
  static override baseFlags = {
    ...jobFlags,
    'plan-out': Flags.string({
      summary: 'Also save the plan to this file, for "apply FILE" after review.',
      helpGroup: 'GLOBAL',
    }),
  };

  protected override isDryRun(): boolean {
    return true;
  }
}
