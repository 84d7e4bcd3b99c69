import { formatBytes, type PlanAction } from '@tempered/core';
import { type SyncDetails, SyncOp } from './types.js';

// control characters, quotes and backslashes would break "one line per path"; so would edge spaces;
// bytes that are not UTF-8 (lone surrogates, see tree/fsName.ts) print as \udcNN escapes
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const NEEDS_QUOTES = /[\u0000-\u001f\u007f"\\\ud800-\udfff]|^\s|\s$/;

/** A path for a human line: as is, or JSON-quoted when it holds a newline, a quote, edge spaces or raw bytes. */
export function quotePath(path: string): string {
  return NEEDS_QUOTES.test(path) ? JSON.stringify(path) : path;
}

/** `./` for the root, a trailing `/` for directories, quoted when odd. */
export function displayPath(path: string, type: SyncDetails['type'] | undefined): string {
  if (path === '' || path === '.') return './';
  const quoted = quotePath(path);
  return type === 'dir' ? `${quoted}/` : quoted;
}

/** One itemised line: `+ path` new, `~ path (reason)` update, `- path` delete. */
export function renderSyncAction(action: PlanAction<SyncDetails>): string {
  const path = displayPath(action.details?.path ?? action.target, action.details?.type);
  switch (action.kind) {
    case 'create':
      return `+ ${path}`;
    case 'update':
      return `~ ${path} (${action.reason})`;
    case 'delete':
      return action.details?.op === SyncOp.Cleanup ? `- ${path} (${action.reason})` : `- ${path}`;
    default:
      return `= ${path}`;
  }
}

export interface PlanCounts {
  create: number;
  update: number;
  delete: number;
  unchanged: number;
  /** Temp files of interrupted runs to remove (counted apart from deletions of content). */
  cleanup: number;
  bytesToCopy: number;
}

/** `unchanged`: entries in sync that the plan counts instead of listing (see planSync). */
export function countPlan(actions: readonly PlanAction<SyncDetails>[], unchanged = 0): PlanCounts {
  const counts: PlanCounts = { create: 0, update: 0, delete: 0, unchanged, cleanup: 0, bytesToCopy: 0 };
  for (const action of actions) {
    if (action.kind === 'skip') counts.unchanged++;
    else if (action.details?.op === SyncOp.Cleanup) counts.cleanup++;
    else counts[action.kind]++;
    if (action.details?.op === SyncOp.Copy) counts.bytesToCopy += action.details.size ?? 0;
  }
  return counts;
}

export function renderPlanCounts(counts: PlanCounts): string {
  const cleanup = counts.cleanup ? `, ${counts.cleanup} temp file(s) to remove` : '';
  return `Plan: ${counts.create} to create, ${counts.update} to update, ${counts.delete} to delete, ${counts.unchanged} unchanged${cleanup}; ${formatBytes(counts.bytesToCopy)} to copy.`;
}

/** The dry-run: a header, one line per change in plan order, warnings, then the summary. */
export function renderSyncPlan(
  header: string,
  actions: readonly PlanAction<SyncDetails>[],
  warnings: readonly string[],
  unchanged = 0,
): string {
  const lines = [header];
  for (const action of actions) if (action.kind !== 'skip') lines.push(renderSyncAction(action));
  for (const warning of warnings) lines.push(`! ${warning}`);
  lines.push(renderPlanCounts(countPlan(actions, unchanged)));
  return lines.join('\n');
}
