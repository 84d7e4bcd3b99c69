import { Args } from '@oclif/core';
import { defineSection, JobCommand, standardFlags } from '@tempered/core';
import { writeFilesJob } from '../job.js';
import { configSection, DEFAULT_TARGET } from '../section.js';

/** `__CLI__ apply [TARGET]`: make TARGET hold exactly the configured files. */
export default class Apply extends JobCommand {
  static override summary = 'Make a directory hold exactly the configured files: plan, then apply.';
  static override examples = [
    '<%= config.bin %> apply --dry-run',
    '<%= config.bin %> apply ./out',
    '<%= config.bin %> apply -e prod --yes --json',
    '<%= config.bin %> apply --config /etc/tempered/config.yml -e prod --yes --quiet --lock-wait 1m',
    '<%= config.bin %> apply ./out --log-level debug --log-file /var/log/__CLI__.log --state-dir /var/lib/tempered',
  ];
  // a saved plan (--plan-out) needs an `apply FILE` command, and this one is named apply already
  static override baseFlags = standardFlags;
  static override args = {
    target: Args.string({
      description: `Directory to write (default: ${DEFAULT_TARGET}, or target in the config)`,
    }),
  };
  static override sectionSchema = defineSection(configSection);
  static override job = writeFilesJob;
}
