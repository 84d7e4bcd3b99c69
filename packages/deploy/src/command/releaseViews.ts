import { formatDuration } from '@tempered/core';
import { shortDigest } from '../artifact/index.js';
import { findRecord } from '../release/releaseLog.js';
import { newestFirst } from '../release/select.js';
import type { ReleaseLog } from '../release/types.js';
import type { TargetState } from '../target/types.js';

/** One release as `list` and `status` show it. */
export interface ReleaseView {
  id: string;
  version: string | null;
  digest: string | null;
  /** The log's status, or `unknown` for a directory the log does not know. */
  status: string;
  current: boolean;
  deployedAt: string | null;
  deployedBy: string | null;
  durationMs: number | null;
  failure: string | null;
}

/** Releases present on the target, newest first. */
export function releaseViews(state: TargetState, log: ReleaseLog): ReleaseView[] {
  return newestFirst(log, state.releases).map((id) => {
    const record = findRecord(log, id);
    return {
      id,
      version: record?.version ?? null,
      digest: record?.digest ?? null,
      status: record?.status ?? 'unknown',
      current: id === state.current,
      deployedAt: record?.deployedAt ?? null,
      deployedBy: record?.deployedBy ?? null,
      durationMs: record?.durationMs ?? null,
      failure: record?.failure ?? null,
    };
  });
}

/** A plain table: no colour, fixed columns, so cron mail and `grep` read it alike. */
export function renderReleaseTable(views: readonly ReleaseView[]): string {
  const rows = views.map((v) => [
    v.current ? '*' : ' ',
    v.id,
    v.version ?? '-',
    v.digest ? shortDigest(v.digest) : '-',
    v.status,
    v.deployedAt ?? '-',
    v.durationMs === null ? '-' : formatDuration(v.durationMs),
    v.deployedBy ?? '-',
  ]);
  const header = [' ', 'ID', 'VERSION', 'DIGEST', 'STATUS', 'DEPLOYED', 'TOOK', 'BY'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  return [header, ...rows]
    .map((row) =>
      row
        .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}
