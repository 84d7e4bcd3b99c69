import { Flags } from '@oclif/core';
import { computeStats, type EnvironmentStats, renderStatsHuman } from '../metrics/index.js';
import { FileStateStore, listEnvironments, stateDirFor } from '../state/index.js';
import { parseDuration } from '../util/index.js';
import { TemperedCommand } from './TemperedCommand.js';

export interface StatsResult {
  cli: string;
  since: string;
  environments: EnvironmentStats[];
}

/**
 * `<cli> stats`: what cron did lately. Every CLI exposes it by re-exporting this class as its
 * own `stats` command. Without -e it reports every environment found in the state root.
 */
export class StatsCommand extends TemperedCommand<StatsResult> {
  static override summary = 'Show run count, success rate, mean and p95 runtime, retries and top failures.';
  static override environmentOptional = true;
  static override examples = [
    '<%= config.bin %> stats',
    '<%= config.bin %> stats -e prod --since 24h',
    '<%= config.bin %> stats --config /etc/tempered/config.yml --state-dir /var/lib/tempered --since 4w --json',
    '<%= config.bin %> stats -e prod --log-level debug --log-file /var/log/tempered-stats.log',
  ];
  static override flags = {
    since: Flags.string({
      summary: 'Only runs started within this long ago, e.g. 24h, 7d, 4w.',
      default: '7d',
    }),
  };

  async run(): Promise<StatsResult> {
    const { ctx } = this;
    const sinceLabel = String(this.flags.since ?? '7d');
    const since = new Date(Date.now() - parseDuration(sinceLabel, '--since'));
    const explicit = (this.flags.environment as string | undefined) ?? process.env.TEMPERED_ENVIRONMENT;
    const environments = explicit ? [ctx.environment.name] : await listEnvironments(ctx.stateRoot, ctx.cli);
    const runs = [];
    for (const environment of environments) {
      const store = new FileStateStore(stateDirFor({ root: ctx.stateRoot, cli: ctx.cli, environment }));
      runs.push(...(await store.listRuns({ since })));
    }
    const stats = computeStats(runs, { since });
    this.print(renderStatsHuman(stats, sinceLabel));
    return { cli: ctx.cli, since: since.toISOString(), environments: stats };
  }
}
