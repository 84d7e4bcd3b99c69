import { formatBytes, formatDuration, type PlanSummary } from '@tempered/core';
import type { PlanCounts } from './plan/render.js';

/** The numbers of one run; `--json` carries them as `result.sync`. */
export interface SyncStats {
  source: string;
  destination: string;
  scanned: { source: number; destination: number };
  /** Applied by this run (planned, under --dry-run). */
  created: number;
  updated: number;
  deleted: number;
  unchanged: number;
  tempFilesRemoved: number;
  bytesCopied: number;
  bytesToCopy: number;
  /** Source entries that vanished between the scan and their copy (warnings). */
  vanished: number;
  durationMs: number;
  duration: string;
}

/** What the real run did, counted as its actions succeed. */
export interface DoneCounts {
  created: number;
  updated: number;
  deleted: number;
  cleaned: number;
  bytes: number;
  vanished: number;
}

export interface StatsInput {
  dryRun: boolean;
  source: string;
  destination: string;
  scanned: { source: number; destination: number };
  planned: PlanCounts;
  done: DoneCounts;
  durationMs: number;
}

/** The run's numbers: what it did, or under --dry-run what it would do. */
export function buildStats(input: StatsInput): SyncStats {
  const { dryRun, planned, done } = input;
  return {
    source: input.source,
    destination: input.destination,
    scanned: input.scanned,
    created: dryRun ? planned.create : done.created,
    updated: dryRun ? planned.update : done.updated,
    deleted: dryRun ? planned.delete : done.deleted,
    unchanged: planned.unchanged,
    tempFilesRemoved: dryRun ? planned.cleanup : done.cleaned,
    bytesCopied: done.bytes,
    bytesToCopy: planned.bytesToCopy,
    vanished: done.vanished,
    durationMs: input.durationMs,
    duration: formatDuration(input.durationMs),
  };
}

/** The closing line of a real run that changed something. */
export function renderApplied(stats: SyncStats): string {
  const extra = [
    stats.tempFilesRemoved ? `${stats.tempFilesRemoved} temp file(s) of an interrupted run removed` : '',
    stats.vanished ? `${stats.vanished} vanished from the source` : '',
  ].filter(Boolean);
  return (
    `Synced: ${stats.created} created, ${stats.updated} updated, ${stats.deleted} deleted, ` +
    `${stats.unchanged} unchanged (${stats.scanned.source} scanned); ` +
    `${formatBytes(stats.bytesCopied)} copied in ${stats.duration}.` +
    (extra.length > 0 ? ` ${extra.join('; ')}.` : '')
  );
}

/** The line of a real run that found nothing to change. */
export function renderNoop(summary: PlanSummary, stats: SyncStats): string {
  return `No changes: ${summary.skip} up to date (${stats.scanned.source} scanned in ${stats.duration}); nothing copied.`;
}
