import { setImmediate as yieldToLoop } from 'node:timers/promises';
import {
  type Applier,
  type ApplyContext,
  type ApplyResult,
  InternalError,
  type PlanAction,
  type ReadIO,
} from '@tempered/core';
import { LocalDestination } from '../destination/LocalDestination.js';
import { EntryFailedError, SourceVanishedError } from '../errors.js';
import type { SyncOptions } from '../options.js';
import { depthOf, parentOf } from '../plan/relativePath.js';
import { type SyncDetails, SyncOp } from '../plan/types.js';
import { Progress } from '../progress/Progress.js';
import { createDestination } from '../safety/checkWritable.js';
import { type DoneCounts, renderApplied } from '../summary.js';
import { EntryType } from '../tree/EntryTable.js';
import { TEMP_TAG_STEP, TempNames } from '../tree/tempName.js';
import { joinRoot } from './joinRoot.js';
import type { SyncJobPlan } from './plan.js';
import { syncStats } from './stats.js';
import type { SyncWorld } from './world.js';

/** Longest stretch of synchronous copying before the event loop gets a turn (signals, progress). */
const YIELD_EVERY_MS = 16;

/** One real sync run: writes through a LocalDestination, counts what it did, draws progress. */
export class SyncApplier implements Applier<SyncDetails> {
  readonly #destination: LocalDestination;
  readonly #temps = new TempNames();
  #tempTagRecorded: Promise<void> | undefined;
  #progress: Progress | undefined;
  #lastYield = 0;
  /** Directories whose creation failed: nothing is written beneath them (never through a link). */
  readonly #failedDirs = new Set<string>();
  readonly #createdDirs = new Set<string>();
  readonly #touchedDirs = new Set<string>();
  readonly #done: DoneCounts = { created: 0, updated: 0, deleted: 0, cleaned: 0, bytes: 0, vanished: 0 };
  /** Reasons the run must end partial although every action succeeded. */
  readonly #problems: string[] = [];

  constructor(
    private readonly world: SyncWorld,
    private readonly options: SyncOptions,
    private readonly plan: SyncJobPlan,
    private readonly io: ReadIO,
  ) {
    this.#destination = new LocalDestination(options.destination, {
      fsync: options.fsync,
      temps: this.#temps,
    });
    for (const side of ['source', 'destination'] as const) {
      const unreadable = world[side].errors.length;
      if (unreadable > 0) this.#problems.push(`${unreadable} ${side} entries could not be read`);
    }
  }

  async begin(): Promise<void> {
    if (!this.world.destination.exists) createDestination(this.options.destination);
  }

  async apply(action: PlanAction<SyncDetails>, ctx: ApplyContext): Promise<void> {
    const details = action.details;
    if (!details) throw new InternalError(`action ${action.id} has no details`);
    this.#startProgress();
    if (performance.now() - this.#lastYield > YIELD_EVERY_MS) {
      await yieldToLoop();
      this.#lastYield = performance.now();
    }
    const { path } = details;
    this.#refuseUnderFailedDirectory(path);
    if (details.op !== SyncOp.Delete) await this.#recordTempTag();
    // a write inside a directory moves its mtime, even one that fails: the directory's own
    // mode and mtime are set again at the end
    if (path !== '' && !(details.op === SyncOp.Attrs && details.type === 'dir')) {
      this.#touchedDirs.add(parentOf(path));
    }
    let bytes: number;
    try {
      bytes = await this.#write(details);
    } catch (error) {
      if (!(error instanceof SourceVanishedError)) throw error;
      ctx.logger.warn({ path }, 'vanished from the source during the run; skipped');
      this.#done.vanished++;
      return;
    }
    if (details.op === SyncOp.Cleanup) this.#done.cleaned++;
    else if (action.kind === 'create') this.#done.created++;
    else if (action.kind === 'update') this.#done.updated++;
    else if (action.kind === 'delete') this.#done.deleted++;
    if (bytes > 0) {
      this.#done.bytes += bytes;
      ctx.counters?.increment('bytes_copied', bytes);
    }
    this.#progress?.advance(1, bytes);
  }

  /** Bytes copied. */
  async #write(details: SyncDetails): Promise<number> {
    const destination = this.#destination;
    const { path } = details;
    switch (details.op) {
      case SyncOp.Mkdir:
      case SyncOp.ReplaceWithDir:
        try {
          await destination.makeDirectory(path, { replace: details.op === SyncOp.ReplaceWithDir });
        } catch (error) {
          this.#failedDirs.add(path);
          throw error;
        }
        this.#createdDirs.add(path);
        return 0;
      case SyncOp.Copy:
        return destination.writeFile(
          path,
          joinRoot(this.options.source, path),
          { mode: details.mode ?? 0o644, mtimeMs: details.mtimeMs ?? 0, size: details.size ?? 0 },
          { replaceDirectory: details.replacesDirectory === true },
        );
      case SyncOp.Link:
        await destination.writeSymlink(path, details.linkTarget ?? '', details.mtimeMs ?? 0, {
          replaceDirectory: details.replacesDirectory === true,
        });
        return 0;
      case SyncOp.Attrs:
        if (details.type === 'symlink') {
          await destination.setLinkTime(path, details.mtimeMs ?? 0);
        } else {
          await destination.setAttributes(path, details.type === 'dir' ? 'dir' : 'file', {
            mode: details.mode ?? 0o644,
            mtimeMs: details.mtimeMs ?? 0,
          });
        }
        return 0;
      case SyncOp.Delete:
      case SyncOp.Cleanup:
        await destination.remove(path, details.op === SyncOp.Cleanup ? 'file' : details.type);
        return 0;
    }
  }

  /**
   * Directories get their mode and mtime last, deepest first (a parent made read-only or
   * unsearchable must not stop its children's): the ones this run created, the ones whose
   * contents it changed (every rename or removal inside moved their mtime), and the ones it
   * made writable for itself. Runs whether or not every action succeeded, as rsync does.
   */
  async finish(_result: ApplyResult | undefined): Promise<void> {
    this.#progress?.stop();
    const destination = this.#destination;
    const source = this.world.source.entries;
    const opened = destination.openedDirectories();
    const dirs = [...new Set([...this.#createdDirs, ...this.#touchedDirs, ...opened.keys()])];
    dirs.sort((a, b) => depthOf(b) - depthOf(a));
    let failed = 0;
    for (const dir of dirs) {
      const i = source.indexOf(dir);
      try {
        if (i !== -1 && source.type(i) === EntryType.Directory) {
          await destination.setAttributes(dir, 'dir', { mode: source.mode(i), mtimeMs: source.mtimeMs(i) });
        } else if (opened.has(dir)) {
          await destination.restoreMode(dir, opened.get(dir) as number);
        }
      } catch (error) {
        failed++;
        this.io.logger.error({ path: dir, err: error }, 'could not set directory mode and mtime');
      }
    }
    if (failed > 0) this.#problems.push(`could not set mode and mtime of ${failed} directories`);
    await destination.finish();
  }

  problems(): string[] {
    return this.#problems;
  }

  summary(_result: ApplyResult): string {
    return renderApplied(this.#stats());
  }

  report(): Record<string, unknown> {
    return { sync: this.#stats() };
  }

  close(): void {
    this.#progress?.stop();
  }

  #stats() {
    return syncStats(this.plan, this.options, {
      dryRun: false,
      done: this.#done,
      startedAt: this.io.startedAt,
    });
  }

  /** The run's temp tag goes in the journal before its first temp file exists (see tempName.ts). */
  #recordTempTag(): Promise<void> {
    this.#tempTagRecorded ??= this.io.journal.begin(`${TEMP_TAG_STEP}${this.#temps.tag}`);
    return this.#tempTagRecorded;
  }

  #refuseUnderFailedDirectory(path: string): void {
    if (this.#failedDirs.size === 0) return;
    for (let dir = parentOf(path); ; dir = parentOf(dir)) {
      if (this.#failedDirs.has(dir)) {
        this.#failedDirs.add(path);
        throw new EntryFailedError(
          path,
          `not written: its directory ${JSON.stringify(dir)} could not be made`,
        );
      }
      if (dir === '') return;
    }
  }

  #startProgress(): void {
    if (this.#progress) return;
    const { counts } = this.plan.info;
    const { logger } = this.io;
    this.#progress = new Progress(
      process.stderr,
      { files: counts.create + counts.update + counts.delete + counts.cleanup, bytes: counts.bytesToCopy },
      { onTick: (done) => logger.info({ files: done.files, bytes: done.bytes }, 'progress') },
    );
    this.#progress.start();
    this.#lastYield = performance.now();
  }
}
