import type { RunRecord } from '@tempered/core';
import { shortDigest } from '../artifact/index.js';
import { DeployReadCommand } from '../command/DeployReadCommand.js';
import { describeLock, inspectDeployLocks, type LockView } from '../command/locks.js';
import { type ReleaseView, releaseViews } from '../command/releaseViews.js';
import type { PendingOperation } from '../release/types.js';

export interface StatusResult {
  target: string;
  current: ReleaseView | null;
  /** An operation an interrupted run left unfinished. */
  pending: PendingOperation | null;
  locks: LockView[];
  lastRun: RunRecord | null;
}

export default class Status extends DeployReadCommand<StatusResult> {
  static override summary = 'Show the current release, the lock holder if any, and the last run.';
  static override examples = [
    '<%= config.bin %> status -e prod',
    '<%= config.bin %> status -e prod --json',
    '<%= config.bin %> status --config /etc/tempered/deploy.yml -e prod --state-dir /var/lib/tempered --log-level debug',
  ];

  async run(): Promise<StatusResult> {
    const { ctx } = this;
    const [state, log, locks, runs] = await Promise.all([
      this.deployTarget.inspect(),
      this.deployTarget.readLog(),
      inspectDeployLocks(this.deployTarget, ctx.store),
      ctx.store.listRuns({ limit: 1 }),
    ]);
    const current = releaseViews(state, log).find((view) => view.current) ?? null;
    const lastRun = runs[0] ?? null;
    const lines = [`target:   ${this.deployTarget.display}`];
    lines.push(
      current
        ? `current:  ${current.id} (${current.status}${current.digest ? `, ${shortDigest(current.digest)}` : ''}${current.deployedAt ? `, deployed ${current.deployedAt} by ${current.deployedBy}` : ''})`
        : 'current:  none',
    );
    if (log.pending) {
      const p = log.pending;
      lines.push(
        `pending:  ${p.kind} of ${p.release}, started ${p.startedAt} by run ${p.runId}, did not finish; re-run it to complete`,
      );
    }
    lines.push(locks.length === 0 ? 'lock:     free' : `lock:     ${locks.map(describeLock).join('; ')}`);
    lines.push(
      lastRun
        ? `last run: ${lastRun.command} ${lastRun.status} (exit ${lastRun.exitCode}) at ${lastRun.finishedAt}${lastRun.failure ? `: ${lastRun.failure.message}` : ''}`
        : 'last run: none recorded',
    );
    this.print(lines.join('\n'));
    return { target: this.deployTarget.display, current, pending: log.pending ?? null, locks, lastRun };
  }
}
