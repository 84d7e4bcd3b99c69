import type { ReadIO } from '@tempered/core';
import { LocalDestination } from '../destination/LocalDestination.js';
import type { SyncOptions } from '../options.js';
import { rootKind } from '../safety/checkRoots.js';
import { hashCandidates } from '../tree/hashContent.js';
import { scanBeside } from '../tree/scanInWorker.js';
import { type ScanResult, scanTree } from '../tree/scanTree.js';
import { TEMP_TAG_STEP } from '../tree/tempName.js';
import { useSmallYoungGeneration } from '../tree/youngGeneration.js';
import { joinRoot } from './joinRoot.js';
import { emptySourceWarning, unreadableWarning } from './notices.js';
import type { SyncWorld } from './world.js';

/**
 * Both trees, listed at once (a large source in a worker thread while this one lists the
 * destination), then with --checksum the hashes of the files whose sizes match. Every issue goes
 * to the log here; the plan lists the first few.
 */
export async function readSyncWorld(options: SyncOptions, io: ReadIO): Promise<SyncWorld> {
  const { logger } = io;
  useSmallYoungGeneration();
  const filters = { include: options.include, exclude: options.exclude };
  // names carrying one of these tags are temp files of interrupted runs (see tree/tempName.ts)
  const tempTags = new Set(
    io.journal
      .unfinishedSteps()
      .filter((step) => step.startsWith(TEMP_TAG_STEP))
      .map((step) => step.slice(TEMP_TAG_STEP.length)),
  );
  const sourceOptions = { side: 'source', symlinks: options.symlinks, ...filters } as const;
  // a first copy has no destination to list, so no worker to start
  const destinationExists = (await rootKind(options.destination)) === 'directory';
  const destScan = new LocalDestination(options.destination).scan({ ...filters, tempTags });
  const [source, destination] = await Promise.all([
    destinationExists
      ? scanBeside(options.source, sourceOptions, destScan)
      : scanTree(options.source, sourceOptions),
    destScan,
  ]);
  const world: SyncWorld = { source, destination };
  io.counters.increment('entries_scanned', source.entries.length);
  logger.info(
    {
      source: { entries: source.entries.length, ms: Math.round(source.durationMs) },
      destination: { entries: destination.entries.length, ms: Math.round(destination.durationMs) },
    },
    'scan finished',
  );
  const empty = emptySourceWarning(world, options);
  if (empty) logger.warn(empty);
  logIssues(io, 'source', source);
  logIssues(io, 'destination', destination);
  const unreadable = unreadableWarning(world, options);
  if (unreadable) logger.warn(unreadable);

  if (options.checksum) {
    const failures = await hashCandidates(
      { table: source.entries, resolve: (path) => joinRoot(options.source, path) },
      { table: destination.entries, resolve: (path) => joinRoot(options.destination, path) },
      options.concurrency,
      io.signal,
    );
    for (const failure of failures) {
      logger.warn(
        { path: failure.path, side: failure.side, err: failure.error },
        'could not hash; copying it',
      );
    }
  }
  return world;
}

function logIssues(io: ReadIO, side: 'source' | 'destination', scan: ScanResult): void {
  for (const issue of scan.warnings) io.logger.warn({ side, path: issue.path }, issue.message);
  for (const issue of scan.errors) io.logger.error({ side, path: issue.path }, issue.message);
}
