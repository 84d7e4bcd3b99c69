import { Flags } from '@oclif/core';
import { computeStats, type EnvironmentStats, renderStatsHuman } from '../metrics/index.js';
import { openStateStore, type StateStore } from '../state/index.js';
import { parseDuration } from '../util/index.js';
import { stateBackendFor, TemperedCommand } from './TemperedCommand.js';

export interface StatsResult {
  cli: string;
  since: string;
  environments: EnvironmentStats[];
}

/**
 * `<cli> stats`: what cron did lately. Every CLI exposes it by re-exporting this class as its
 * own `stats` command. Without -e it reports every environment the state store knows (the
 * directories under the state root, or the rows of a PostgreSQL backend).
 */
export class StatsCommand extends TemperedCommand<StatsResult> {
  static override summary = 'Show run count, success rate, mean and p95 runtime, retries and top failures.';
  static override environmentOptional = true;
  static override examples = [
    '<%= config.bin %> stats',
    '<%= config.bin %> stats -e prod --since 24h',
    '<%= config.bin %> stats --state-url postgres://tempered@db/tempered --by-host',
    '<%= config.bin %> stats --config /etc/tempered/config.yml --state-dir /var/lib/tempered --since 4w --json',
    '<%= config.bin %> stats -e prod --log-level debug --log-file /var/log/tempered-stats.log',
  ];
  static override flags = {
    since: Flags.string({
      summary: 'Only runs started within this long ago, e.g. 24h, 7d, 4w.',
      default: '7d',
    }),
    'by-host': Flags.boolean({
      summary:
        'Break the numbers down by the host each run was recorded on (a state store shared by several hosts).',
      default: false,
    }),
  };

  async run(): Promise<StatsResult> {
    const { ctx } = this;
    const sinceLabel = String(this.flags.since ?? '7d');
    const since = new Date(Date.now() - parseDuration(sinceLabel, '--since'));
    const explicit = (this.flags.environment as string | undefined) ?? process.env.TEMPERED_ENVIRONMENT;
    // a store that cannot list its environments (yet) reports the one selected
    const environments = explicit
      ? [ctx.environment.name]
      : ((await ctx.store.listEnvironments?.()) ?? [ctx.environment.name]);
    const runs = [];
    for (const environment of environments) {
      const store = await this.#storeOf(environment);
      try {
        runs.push(...(await store.listRuns({ since })));
      } finally {
        if (store !== ctx.store) await store.close?.();
      }
    }
    const stats = computeStats(runs, { since, byHost: this.flags['by-host'] === true });
    this.print(renderStatsHuman(stats, sinceLabel));
    return { cli: ctx.cli, since: since.toISOString(), environments: stats };
  }

  /** Read-only: nothing is created for an environment that has no state. */
  async #storeOf(environment: string): Promise<StateStore> {
    const { ctx } = this;
    if (environment === ctx.environment.name) return ctx.store;
    return openStateStore({
      state: stateBackendFor(ctx.settings),
      cli: ctx.cli,
      environment,
      runId: ctx.runId,
      logger: ctx.logger,
      forWriting: false,
    });
  }
}
