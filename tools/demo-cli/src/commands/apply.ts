import { Args } from '@oclif/core';
import { defineSection, JobCommand, standardFlags } from '@tempered/core';
import { writeFilesJob } from '../job/writeFilesJob.js';
import { demoSection } from '../section.js';

export default class Apply extends JobCommand {
  static override summary = 'Make a directory hold exactly the configured files (plan, then apply).';
  static override examples = ['<%= config.bin %> apply', '<%= config.bin %> apply ./out --dry-run --json'];
  static override args = {
    target: Args.string({ description: 'Directory to write (default: ./tempered-demo-output)' }),
  };
  // a saved plan (--plan-out) needs an `apply FILE` command, and this one is named apply already
  static override baseFlags = standardFlags;
  static override sectionSchema = defineSection(demoSection);
  static override job = writeFilesJob;
}
