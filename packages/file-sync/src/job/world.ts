import type { Interfaces } from '@oclif/core';
import type { syncFlags } from '../flags.js';
import type { PlanCounts } from '../plan/render.js';
import type { ScanResult } from '../tree/scanTree.js';

/** `sync`'s own flags as oclif parses them: `flags['max-delete']` is a number, no casts. */
export type SyncFlagValues = Interfaces.InferredFlags<typeof syncFlags>;

export interface SyncArgs {
  source?: string | undefined;
  destination?: string | undefined;
}

/** What read() gathered: both trees as scanned (with --checksum, the compared files' hashes). */
export interface SyncWorld {
  source: ScanResult;
  /** Its `leftovers` are temp files of interrupted runs, by tags the journal recorded. */
  destination: ScanResult;
}

/** What the texts and the JSON result need beside the actions. */
export interface SyncInfo {
  scanned: { source: number; destination: number };
  counts: PlanCounts;
}
