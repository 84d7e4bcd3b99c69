import { Flags, type Interfaces } from '@oclif/core';
import { type JobResult, type RunJobOptions, runJob } from '../job/runJob.js';
import type { SavedPlan } from '../job/savedPlan.js';
import type { AnyJob, JobInput, JobIO } from '../job/types.js';
import { type readOnlyFlags, standardFlags } from './standardFlags.js';
import { TemperedCommand } from './TemperedCommand.js';

export const jobFlags = {
  ...standardFlags,
  'plan-out': Flags.string({
    summary: 'With --dry-run: also save the plan to this file, for "apply FILE" after review.',
    helpGroup: 'GLOBAL',
    dependsOn: ['dry-run'],
  }),
};

/**
 * A command that changes things: its flags, its args and its job; core's runJob does the rest.
 */
export abstract class JobCommand extends TemperedCommand<JobResult> {
  static override baseFlags: typeof readOnlyFlags & Interfaces.FlagInput = jobFlags;
  static override recordsRuns = true;
  static job: AnyJob;

  async run(): Promise<JobResult> {
    const ctor = this.ctor as typeof JobCommand;
    return this.runWith(ctor.job, this.commandInput(ctor), {
      planOut: this.flags['plan-out'] as string | undefined,
    });
  }

  /** The job run by this command's run lifecycle (also `apply FILE`, with a saved plan). */
  protected async runWith(
    job: AnyJob,
    input: JobInput<unknown, unknown>,
    extra: Pick<RunJobOptions, 'planOut' | 'saved'>,
  ): Promise<JobResult> {
    const result = await runJob({
      job,
      io: this.jobIO(),
      input,
      yes: this.flags.yes === true,
      version: this.config.version,
      ...extra,
      hooks: {
        status: (status) => {
          this.runStatus = status;
        },
        failedStep: (id) => {
          this.failedStep ??= id;
        },
        startHeartbeat: () => this.startHeartbeat(),
        warnings: (list) => {
          for (const warning of list) if (!this.warnings.includes(warning)) this.warnings.push(warning);
        },
      },
    });
    return result;
  }

  /** Only this command's own flags: what a saved plan records and `apply` feeds back. */
  protected commandInput(ctor: typeof JobCommand): JobInput<unknown, unknown> {
    const own = Object.keys(ctor.flags ?? {});
    return {
      flags: Object.fromEntries(
        own.filter((name) => name in this.flags).map((name) => [name, this.flags[name]]),
      ),
      args: { ...this.args },
      section: this.ctx.section ?? {},
      configFile: this.ctx.configFile,
      environment: this.ctx.environment.name,
      cwd: process.cwd(),
    };
  }

  protected jobIO(): JobIO {
    return {
      ...this.ctx,
      dryRun: this.isDryRun(),
      http: (options) => this.httpClient(options),
      print: (text) => this.print(text),
    };
  }
}

export type { SavedPlan };
