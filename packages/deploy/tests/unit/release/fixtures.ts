import {
  type ReleaseLog,
  type ReleaseRecord,
  ReleaseStatus,
  type ReleaseStatusValue,
} from '../../../src/release/types.js';

export const digestOf = (name: string) =>
  `sha256:${Buffer.from(name).toString('hex').padEnd(64, '0').slice(0, 64)}`;

/** A log with one record per [id, status], oldest first. */
export function logOf(...releases: [string, ReleaseStatusValue?][]): ReleaseLog {
  return {
    format: 1,
    history: [],
    releases: releases.map(
      ([id, status], index): ReleaseRecord => ({
        id,
        digest: digestOf(id),
        artifact: `/build/${id}`,
        status: status ?? ReleaseStatus.Good,
        deployedBy: 'ops@host',
        deployedAt: new Date(Date.UTC(2026, 0, 1, 0, index)).toISOString(),
        runId: `run-${id}`,
      }),
    ),
  };
}

export const dirs = (...ids: string[]) => ids.map((id, index) => ({ id, mtimeMs: 1_000 + index }));
