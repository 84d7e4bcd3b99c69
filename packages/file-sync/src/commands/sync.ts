import { homedir } from 'node:os';
import { dirname } from 'node:path';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { Args } from '@oclif/core';
import {
  type ApplyContext,
  type ApplyResult,
  defineSection,
  InternalError,
  PartialError,
  type Plan,
  type PlanAction,
  PlannedCommand,
  type PlannedResult,
  type PlanSummary,
  realpathDeepest,
  UsageError,
} from '@tempered/core';
import type { Destination } from '../destination/Destination.js';
import { LocalDestination } from '../destination/LocalDestination.js';
import { EntryFailedError, SourceVanishedError } from '../errors.js';
import { syncFlags } from '../flags.js';
import { resolveSyncOptions, type SyncFlags, type SyncOptions } from '../options.js';
import { planSync, type SyncPlan } from '../plan/planSync.js';
import { depthOf, parentOf } from '../plan/relativePath.js';
import { countPlan, type PlanCounts, quotePath, renderSyncPlan } from '../plan/render.js';
import { type SyncDetails, SyncOp } from '../plan/types.js';
import { Progress } from '../progress/Progress.js';
import { checkRoots, rootKind } from '../safety/checkRoots.js';
import { checkWritable, createDestination } from '../safety/checkWritable.js';
import { type SyncSection, syncSection } from '../section.js';
import { buildStats, renderApplied, renderNoop, type SyncStats } from '../summary.js';
import { EntryTable, EntryType } from '../tree/EntryTable.js';
import { hashCandidates } from '../tree/hashContent.js';
import { scanBeside } from '../tree/scanInWorker.js';
import { type ScanIssue, type ScanResult, scanTree } from '../tree/scanTree.js';
import { TEMP_TAG_STEP, TempNames } from '../tree/tempName.js';
import { useSmallYoungGeneration } from '../tree/youngGeneration.js';

export type SyncResult = PlannedResult<SyncDetails> & { sync: SyncStats };

const MAX_LISTED_WARNINGS = 20;
/** Longest stretch of synchronous copying before the event loop gets a turn (signals, progress). */
const YIELD_EVERY_MS = 16;

export default class Sync extends PlannedCommand<SyncDetails> {
  static override summary = 'Make DESTINATION hold what SOURCE holds: plan, then copy atomically.';
  static override description =
    `Compares by size and mtime (or content with --checksum), copies new and changed files through a temp file renamed into place, preserves mtime and mode, and with --delete removes what the source lacks, after every copy succeeded and within --max-delete. A re-run after success copies nothing; a re-run after a kill finishes the rest. SOURCE and DESTINATION may come from the config's file-sync section instead.`;
  static override examples = [
    '<%= config.bin %> sync ./site /srv/www --dry-run',
    '<%= config.bin %> sync ./site /srv/www --delete --max-delete 50',
    '<%= config.bin %> sync -e prod --yes --json',
    "<%= config.bin %> sync src dst --exclude '*.tmp' --exclude 'cache/' --checksum",
  ];
  static override args = {
    source: Args.string({ description: 'Directory to copy from (default: file-sync.source in the config).' }),
    destination: Args.string({
      description: 'Directory to copy into, created if missing (default: file-sync.destination).',
    }),
  };
  static override flags = syncFlags;
  static override sectionSchema = defineSection(syncSection);

  protected override onActionError = 'continue' as const;
  // like rsync: one entry that fails leaves every other one synced and every directory its final
  // mode and mtime; only deletions wait for a run where everything else succeeded
  protected override holdBackAfterFailure = 'deletions' as const;
  protected override journalKinds = ['delete'] as const;
  protected override itemizeApplied = false;

  #options: SyncOptions | undefined;
  #destination: Destination | undefined;
  #source = new EntryTable();
  #scanned = { source: 0, destination: 0 };
  #planned: PlanCounts | undefined;
  #progress: Progress | undefined;
  #lastYield = 0;
  #destinationExists = false;
  readonly #temps = new TempNames();
  #tempTagRecorded: Promise<void> | undefined;
  /** Directories whose creation failed: nothing is written beneath them (never through a link). */
  readonly #failedDirs = new Set<string>();
  readonly #done = { created: 0, updated: 0, deleted: 0, cleaned: 0, bytes: 0, vanished: 0 };
  readonly #createdDirs = new Set<string>();
  readonly #touchedDirs = new Set<string>();
  /** Reasons the run must end partial although every action succeeded (unreadable entries...). */
  readonly #problems: string[] = [];

  override async run(): Promise<SyncResult> {
    try {
      const result = await super.run();
      if (!result.dryRun && this.#problems.length > 0) {
        this.runStatus = undefined;
        throw new PartialError(this.#problems.join('; '), {
          hint: 'fix the entries named in the log, then re-run: what was copied is not copied again',
        });
      }
      return { ...result, sync: this.#stats(result.dryRun) };
    } finally {
      this.#progress?.stop();
    }
  }

  protected override maxDelete(): number {
    return this.#resolve().maxDelete;
  }

  /** The destination, once SOURCE and DESTINATION passed every check that needs no scan. */
  protected async target(): Promise<string> {
    const options = this.#resolve();
    if ((await rootKind(options.source)) === 'other') {
      throw new UsageError(`source ${JSON.stringify(options.source)} is not a directory`, {
        hint: 'pass a directory as SOURCE: its contents are synced into DESTINATION',
      });
    }
    const destinationKind = await rootKind(options.destination);
    this.#destinationExists = destinationKind === 'directory';
    if (destinationKind === 'other') {
      throw new UsageError(
        `destination ${JSON.stringify(options.destination)} exists and is not a directory`,
        {
          hint: 'pass a directory (or a path to create) as DESTINATION',
        },
      );
    }
    checkWritable(options.destination);
    checkRoots({
      source: await realpathDeepest(options.source),
      destination: await realpathDeepest(options.destination),
      home: await realpathDeepest(homedir()),
      delete: options.delete,
    });
    return options.destination;
  }

  protected override async confirmPlan(): Promise<void> {
    if (!this.#destinationExists) createDestination(this.#resolve().destination);
  }

  protected async plan(): Promise<SyncPlan> {
    const options = this.#resolve();
    const { logger } = this.ctx;
    this.applyConcurrency = options.concurrency;
    useSmallYoungGeneration();
    const destination = new LocalDestination(options.destination, {
      fsync: options.fsync,
      temps: this.#temps,
    });
    this.#destination = destination;
    const filters = { include: options.include, exclude: options.exclude };
    const tempTags = new Set(
      this.journal
        .unfinishedSteps()
        .filter((step) => step.startsWith(TEMP_TAG_STEP))
        .map((step) => step.slice(TEMP_TAG_STEP.length)),
    );

    // a large source is listed in a worker thread while this one lists the destination: two
    // cores, half the wait; a first copy has no destination to list, so no worker to start
    const sourceOptions = { side: 'source', symlinks: options.symlinks, ...filters } as const;
    const destScan = destination.scan({ ...filters, tempTags });
    const [source, dest] = await Promise.all([
      this.#destinationExists
        ? scanBeside(options.source, sourceOptions, destScan)
        : scanTree(options.source, sourceOptions),
      destScan,
    ]);
    this.#source = source.entries;
    this.#scanned = { source: source.entries.length, destination: dest.entries.length };
    this.ctx.counters.increment('entries_scanned', source.entries.length);
    logger.info(
      {
        source: { entries: source.entries.length, ms: Math.round(source.durationMs) },
        destination: { entries: dest.entries.length, ms: Math.round(dest.durationMs) },
      },
      'scan finished',
    );
    this.#checkSource(source, options);
    this.#report('source', source);
    this.#report('destination', dest);
    const unreadable = source.errors.length + dest.errors.length;
    let deleting = options.delete;
    if (unreadable > 0 && options.delete) {
      deleting = false;
      this.addWarning(`${unreadable} entries could not be read, so nothing is deleted this run`);
    }

    if (options.checksum) {
      const failures = await hashCandidates(
        { table: source.entries, resolve: (path) => joinRoot(options.source, path) },
        { table: dest.entries, resolve: (path) => joinRoot(options.destination, path) },
        options.concurrency,
      );
      for (const failure of failures) {
        logger.warn(
          { path: failure.path, side: failure.side, err: failure.error },
          'could not hash; copying it',
        );
      }
    }

    const plan = planSync(source.entries, dest.entries, {
      delete: deleting,
      checksum: options.checksum,
      leftovers: dest.leftovers,
    });
    this.#planned = countPlan(plan.actions, plan.unchanged);
    this.ctx.counters.increment('entries_unchanged', plan.unchanged);
    return plan;
  }

  protected async applyAction(action: PlanAction<SyncDetails>, ctx: ApplyContext): Promise<void> {
    const details = action.details;
    const destination = this.#destination;
    if (!details || !destination) throw new InternalError(`action ${action.id} has no details`);
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
    let bytes = 0;
    try {
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
          break;
        case SyncOp.Copy:
          bytes = await destination.writeFile(
            path,
            joinRoot(this.#resolve().source, path),
            { mode: details.mode ?? 0o644, mtimeMs: details.mtimeMs ?? 0, size: details.size ?? 0 },
            { replaceDirectory: details.replacesDirectory === true },
          );
          break;
        case SyncOp.Link:
          await destination.writeSymlink(path, details.linkTarget ?? '', details.mtimeMs ?? 0, {
            replaceDirectory: details.replacesDirectory === true,
          });
          break;
        case SyncOp.Attrs:
          if (details.type === 'symlink') {
            await destination.setLinkTime(path, details.mtimeMs ?? 0);
          } else {
            await destination.setAttributes(path, details.type === 'dir' ? 'dir' : 'file', {
              mode: details.mode ?? 0o644,
              mtimeMs: details.mtimeMs ?? 0,
            });
          }
          break;
        case SyncOp.Delete:
        case SyncOp.Cleanup:
          await destination.remove(path, details.op === SyncOp.Cleanup ? 'file' : details.type);
          break;
      }
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

  /**
   * Directories get their mode and mtime last, deepest first (a parent made read-only or
   * unsearchable must not stop its children's): the ones this run created, the ones whose
   * contents it changed (every rename or removal inside moved their mtime), and the ones it
   * made writable for itself. Runs whether or not every action succeeded, as rsync does.
   */
  protected override async afterApply(_result: ApplyResult | undefined): Promise<void> {
    this.#progress?.stop();
    const destination = this.#destination;
    if (!destination) return;
    const opened = destination.openedDirectories();
    const dirs = [...new Set([...this.#createdDirs, ...this.#touchedDirs, ...opened.keys()])];
    dirs.sort((a, b) => depthOf(b) - depthOf(a));
    let failed = 0;
    for (const dir of dirs) {
      const i = this.#source.indexOf(dir);
      const inSource = i !== -1 && this.#source.type(i) === EntryType.Directory;
      try {
        if (inSource) {
          await destination.setAttributes(dir, 'dir', {
            mode: this.#source.mode(i),
            mtimeMs: this.#source.mtimeMs(i),
          });
        } else if (opened.has(dir)) {
          await destination.restoreMode(dir, opened.get(dir) as number);
        }
      } catch (error) {
        failed++;
        this.ctx.logger.error({ path: dir, err: error }, 'could not set directory mode and mtime');
      }
    }
    if (failed > 0) this.#problems.push(`could not set mode and mtime of ${failed} directories`);
    await destination.finish();
  }

  /** The run's temp tag goes in the journal before its first temp file exists (see tempName.ts). */
  #recordTempTag(): Promise<void> {
    this.#tempTagRecorded ??= this.journal.begin(`${TEMP_TAG_STEP}${this.#temps.tag}`);
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

  protected override renderPlan(plan: Plan<SyncDetails>): string {
    const options = this.#resolve();
    const header = `${this.ctx.cli} sync ${quotePath(options.source)} -> ${quotePath(options.destination)} [${plan.environment}]`;
    return renderSyncPlan(header, plan.actions, plan.warnings, plan.unchanged);
  }

  protected override noopSummary(summary: PlanSummary): string {
    return renderNoop(summary, this.#stats(false));
  }

  protected override appliedSummary(_applied: ApplyResult): string {
    return renderApplied(this.#stats(false));
  }

  #stats(dryRun: boolean): SyncStats {
    const options = this.#resolve();
    return buildStats({
      dryRun,
      source: options.source,
      destination: options.destination,
      scanned: this.#scanned,
      planned: this.#planned ?? countPlan([]),
      done: this.#done,
      durationMs: Date.now() - this.ctx.startedAt.getTime(),
    });
  }

  #resolve(): SyncOptions {
    this.#options ??= resolveSyncOptions({
      args: {
        source: this.args.source as string | undefined,
        destination: this.args.destination as string | undefined,
      },
      flags: this.flags as SyncFlags,
      section: (this.ctx.section ?? {}) as SyncSection,
      cwd: process.cwd(),
      home: homedir(),
      configDir: this.ctx.configFile ? dirname(this.ctx.configFile) : undefined,
    });
    return this.#options;
  }

  /** A missing or empty source is far more often a failed mount than an intent: refuse it. */
  #checkSource(scan: ScanResult, options: SyncOptions): void {
    const empty = !scan.exists || scan.entries.length <= 1;
    if (!empty) return;
    const what = scan.exists ? 'is empty' : 'does not exist';
    if (options.allowEmptySource) {
      this.addWarning(
        `source ${JSON.stringify(options.source)} ${what}; synced as empty (--allow-empty-source)`,
      );
      return;
    }
    throw new UsageError(`source ${JSON.stringify(options.source)} ${what}; refusing to sync`, {
      hint: 'check the path (an unmounted disk?); pass --allow-empty-source if an empty source is intended',
    });
  }

  /** Per-entry warnings and errors go to the log; the plan carries the first few and a count. */
  #report(side: 'source' | 'destination', scan: ScanResult): void {
    const { logger } = this.ctx;
    const list = (issues: ScanIssue[], level: 'warn' | 'error') => {
      for (const issue of issues) logger[level]({ side, path: issue.path }, issue.message);
      for (const issue of issues.slice(0, MAX_LISTED_WARNINGS)) {
        this.warnings.push(`${side} ${quotePath(issue.path)}: ${issue.message}`);
      }
      if (issues.length > MAX_LISTED_WARNINGS) {
        this.warnings.push(
          `...and ${issues.length - MAX_LISTED_WARNINGS} more ${side} entries (see the log)`,
        );
      }
    };
    list(scan.warnings, 'warn');
    list(scan.errors, 'error');
    if (scan.errors.length > 0) {
      this.#problems.push(`${scan.errors.length} ${side} entries could not be read`);
    }
  }

  #startProgress(): void {
    if (this.#progress) return;
    const planned = this.#planned ?? countPlan([]);
    const { logger } = this.ctx;
    this.#progress = new Progress(
      process.stderr,
      {
        files: planned.create + planned.update + planned.delete + planned.cleanup,
        bytes: planned.bytesToCopy,
      },
      { onTick: (done) => logger.info({ files: done.files, bytes: done.bytes }, 'progress') },
    );
    this.#progress.start();
    this.#lastYield = performance.now();
  }
}

function joinRoot(root: string, path: string): string {
  if (path === '') return root;
  return root.endsWith('/') ? `${root}${path}` : `${root}/${path}`;
}
