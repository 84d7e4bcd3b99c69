import { Args } from '@oclif/core';
import { defineSection, JobCommand } from '@tempered/core';
import { writeFilesJob } from '../job/writeFilesJob.js';
import { demoSection } from '../section.js';

export default class Apply extends JobCommand {
  static override summary = 'Make a directory hold exactly the configured files (plan, then apply).';
  static override examples = ['<%= config.bin %> apply', '<%= config.bin %> apply ./out --dry-run --json'];
  static override args = {
    target: Args.string({ description: 'Directory to write (default: ./tempered-demo-output)' }),
  };
  static override sectionSchema = defineSection(demoSection);
  static override job = writeFilesJob;
}
