import type { RunRecord } from '@tempered/core';
import { shortDigest } from '../artifact/index.js';
import { DeployReadCommand } from '../command/DeployReadCommand.js';
import { describeLock, inspectDeployLocks, type LockView } from '../command/locks.js';
import { type ReleaseView, releaseViews } from '../command/releaseViews.js';
import type { PendingOperation } from '../release/types.js';

export interface HostStatus {
  host: string;
  current: ReleaseView | null;
  pending: PendingOperation | null;
  /** Not on the fleet's release. */
  drift: boolean;
}

export interface StatusResult {
  target: string;
  current: ReleaseView | null;
  /** An operation an interrupted run left unfinished. */
  pending: PendingOperation | null;
  locks: LockView[];
  lastRun: RunRecord | null;
  /** An SSH target: each host, and the release most hosts are on. */
  hosts?: HostStatus[];
  fleetRelease?: string | null;
}

export default class Status extends DeployReadCommand<StatusResult> {
  static override summary =
    'Show the current release (per host, with drift, for a fleet), the lock holders if any, and the last run.';
  static override examples = [
    '<%= config.bin %> status -e prod',
    '<%= config.bin %> status -e prod --json',
    '<%= config.bin %> status -e prod --hosts web1,web2',
    '<%= config.bin %> status --config /etc/tempered/deploy.yml -e prod --state-dir /var/lib/tempered --log-level debug',
  ];

  async run(): Promise<StatusResult> {
    const { ctx, fleet } = this;
    const [hosts, locks, runs] = await Promise.all([
      Promise.all(
        fleet.hosts.map(async ({ name, target }) => {
          const { state, log } = await target.snapshot();
          return {
            host: name,
            current: releaseViews(state, log).find((view) => view.current) ?? null,
            pending: log.pending ?? null,
          };
        }),
      ),
      inspectDeployLocks(fleet, ctx.store),
      ctx.store.listRuns({ limit: 1 }),
    ]);
    const fleetRelease = mostCommon(hosts.map((h) => h.current?.id ?? null));
    const statuses: HostStatus[] = hosts.map((h) => ({
      ...h,
      drift: (h.current?.id ?? null) !== fleetRelease,
    }));
    const lastRun = runs[0] ?? null;
    const lines = [`target:   ${fleet.display}`];
    for (const h of statuses) {
      const at = h.host ? `${h.host}: ` : '';
      const c = h.current;
      lines.push(
        c
          ? `current:  ${at}${c.id} (${c.status}${c.digest ? `, ${shortDigest(c.digest)}` : ''}${c.deployedAt ? `, deployed ${c.deployedAt} by ${c.deployedBy}` : ''})${h.drift ? `  DRIFT: the fleet is on ${fleetRelease ?? 'nothing'}` : ''}`
          : `current:  ${at}none${h.drift ? `  DRIFT: the fleet is on ${fleetRelease}` : ''}`,
      );
      if (h.pending) {
        const p = h.pending;
        lines.push(
          `pending:  ${at}${p.kind} of ${p.release}, started ${p.startedAt} by run ${p.runId}, did not finish; re-run it to complete`,
        );
      }
    }
    lines.push(locks.length === 0 ? 'lock:     free' : `lock:     ${locks.map(describeLock).join('; ')}`);
    lines.push(
      lastRun
        ? `last run: ${lastRun.command} ${lastRun.status} (exit ${lastRun.exitCode}) at ${lastRun.finishedAt}${lastRun.failure ? `: ${lastRun.failure.message}` : ''}`
        : 'last run: none recorded',
    );
    this.print(lines.join('\n'));
    const first = statuses[0]!;
    return {
      target: fleet.display,
      current: first.current,
      pending: first.pending,
      locks,
      lastRun,
      ...(statuses.length > 1 || first.host ? { hosts: statuses, fleetRelease } : {}),
    };
  }
}

/** The release most hosts are on (the first seen among equals). */
function mostCommon(values: (string | null)[]): string | null {
  const counts = new Map<string | null, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  let best: string | null = values[0] ?? null;
  for (const [value, count] of counts) if (count > (counts.get(best) ?? 0)) best = value;
  return best;
}
