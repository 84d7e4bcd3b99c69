import { Args } from '@oclif/core';
import { UsageError } from '../errors/index.js';
import type { JobResult } from '../job/runJob.js';
import { readSavedPlan, type SavedPlan } from '../job/savedPlan.js';
import type { AnyJob } from '../job/types.js';
import { JobCommand } from './JobCommand.js';
import { standardFlags } from './standardFlags.js';
import { parseOptions } from './TemperedCommand.js';

const { 'dry-run': _dryRun, ...applyFlags } = standardFlags;

/**
 * `<cli> apply FILE`: the plan a dry-run saved with --plan-out, applied exactly, after the world
 * is read again and found unchanged (terraform's `apply PLANFILE`). Each CLI names its jobs.
 */
export abstract class ApplyCommand extends JobCommand {
  static override summary =
    'Apply a plan saved by --dry-run --plan-out, if nothing it was made from changed.';
  static override description =
    'Reads the world again (sources, listings, releases) and compares it with the facts the plan was made from. If anything changed, or the config file did, nothing is applied (exit 2) and the changes are listed; otherwise exactly the saved actions are applied, with the same lock, journal, confirmation and caps as a direct run. A plan made by another CLI, or more than 24 hours ago, is refused.';
  static override baseFlags = applyFlags;
  static override args = {
    file: Args.string({ description: 'Plan file written by --dry-run --plan-out.', required: true }),
  };
  /** The jobs a saved plan may name, by the command that saved it. */
  static jobs: Record<string, AnyJob>;

  #saved: SavedPlan | undefined;
  #file = '';

  override async init(): Promise<void> {
    // the plan names its environment: read it before the run's context is built
    const { args } = await this.parse(parseOptions(this.ctor as typeof ApplyCommand));
    this.#file = args.file as string;
    this.#saved = await readSavedPlan(this.#file, { cli: this.config.bin });
    this.implied = { config: this.#saved.configFile, environment: this.#saved.environment };
    await super.init();
    // the run is the saved job's: its run record, metrics file and history are that command's
    this.ctx.command = this.#saved.command;
    if (this.ctx.environment.name !== this.#saved.environment) {
      throw new UsageError(
        `the plan was made for environment "${this.#saved.environment}", not "${this.ctx.environment.name}"`,
        { hint: 'drop --environment (the plan names its own), or make a plan for this environment' },
      );
    }
  }

  override async run(): Promise<JobResult> {
    const saved = this.#saved as SavedPlan;
    const jobs = (this.ctor as typeof ApplyCommand).jobs;
    const job = Object.hasOwn(jobs, saved.command) ? jobs[saved.command] : undefined;
    if (!job) {
      throw new UsageError(
        `the plan file names the command "${saved.command}", which ${this.config.bin} cannot apply`,
        {
          hint: `apply plans of: ${Object.keys(jobs).join(', ')}`,
        },
      );
    }
    return this.runWith(
      job,
      {
        flags: saved.input.flags,
        args: saved.input.args,
        section: this.ctx.section ?? {},
        configFile: this.ctx.configFile,
        environment: this.ctx.environment.name,
        cwd: saved.input.cwd,
      },
      { saved: { plan: saved, file: this.#file } },
    );
  }
}
