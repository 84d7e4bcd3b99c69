import { lstatSync, readdirSync, readlinkSync, realpathSync, type Stats, statSync } from 'node:fs';
import { dirname, relative, sep } from 'node:path';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { EntryTable, EntryType } from './EntryTable.js';
import { decodeName, encodeName, fsPath, hasEscapedBytes, mayBeLossy } from './fsName.js';
import { createPathFilter, type FilterPatterns, type PathFilter } from './pathFilter.js';
import { tempTagOf } from './tempName.js';

export const SymlinkMode = { Preserve: 'preserve', Follow: 'follow', Skip: 'skip' } as const;
export type SymlinkModeValue = (typeof SymlinkMode)[keyof typeof SymlinkMode];

export interface ScanOptions extends FilterPatterns {
  side: 'source' | 'destination';
  /** Source side only; the destination's links are always read as links, never followed. */
  symlinks?: SymlinkModeValue;
  /** Entries between two turns of the event loop (signals, progress). Default 2000. */
  yieldEvery?: number;
  /**
   * Destination side: temp tags that interrupted runs recorded in the journal. A name carrying
   * one is a leftover of ours, never content; any other name is content, whatever it looks like.
   */
  tempTags?: ReadonlySet<string>;
}

export interface ScanIssue {
  path: string;
  message: string;
}

export interface ScanResult {
  /** False when the root does not exist (the table is then empty). */
  exists: boolean;
  entries: EntryTable;
  /** Temp files of interrupted runs (destination side, tags from the journal): removed by this run. */
  leftovers: string[];
  /** Entries that could not be read: what is under them is unknown, so nothing may be deleted. */
  errors: ScanIssue[];
  /** Entries that vanished mid-scan, links not followed, special files skipped. */
  warnings: ScanIssue[];
  durationMs: number;
}

/**
 * Lists a local tree with lstat, synchronously per directory: on 2 cores the thread pool's
 * per-call overhead costs more than the syscalls, so the no-op sync path stays a tight loop,
 * and the event loop gets a turn every `yieldEvery` entries. Rows come out in pre-order with
 * sorted siblings. Deliberately free of @tempered/core imports: it also runs in a worker.
 */
export async function scanTree(root: string, options: ScanOptions): Promise<ScanResult> {
  const started = performance.now();
  const result: ScanResult = {
    exists: true,
    entries: new EntryTable(),
    leftovers: [],
    errors: [],
    warnings: [],
    durationMs: 0,
  };
  const rootStats = statSync(fsPath(root), { throwIfNoEntry: false });
  if (!rootStats) {
    result.exists = false;
    return finish(result, started);
  }
  if (!rootStats.isDirectory()) {
    throw Object.assign(new Error(`${root} is not a directory`), { code: 'ENOTDIR', path: root });
  }
  const filter = await createPathFilter(options);
  const walker = new Walker(root, options, result, filter);
  result.entries.push('', EntryType.Directory, 0, rootStats.mtimeMs, rootStats.mode);
  await walker.walk('', root);
  return finish(result, started);
}

function finish(result: ScanResult, started: number): ScanResult {
  result.durationMs = performance.now() - started;
  return result;
}

class Walker {
  readonly #side: 'source' | 'destination';
  readonly #symlinks: SymlinkModeValue;
  readonly #yieldEvery: number;
  readonly #tempTags: ReadonlySet<string> | undefined;
  #realRoot: string | undefined;
  #sinceYield = 0;

  constructor(
    private readonly root: string,
    options: ScanOptions,
    private readonly result: ScanResult,
    private readonly filter: PathFilter | undefined,
  ) {
    this.#side = options.side;
    this.#symlinks = options.side === 'source' ? (options.symlinks ?? SymlinkMode.Preserve) : 'preserve';
    this.#yieldEvery = options.yieldEvery ?? 2000;
    const tags = options.side === 'destination' ? options.tempTags : undefined;
    this.#tempTags = tags && tags.size > 0 ? tags : undefined;
  }

  /** `raw`: `abs` carries bytes that are not UTF-8, so it reaches fs calls as a Buffer. */
  async walk(rel: string, abs: string, raw = false): Promise<void> {
    let names: string[];
    let listedRaw: boolean;
    try {
      [names, listedRaw] = readNames(abs, raw);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' && rel !== '') this.#warn(rel, 'vanished during the scan');
      else this.result.errors.push({ path: rel || '.', message: describe(error) });
      return;
    }
    names.sort();
    const { entries } = this.result;
    const tags = this.#tempTags;
    for (const name of names) {
      const path = rel === '' ? name : `${rel}/${name}`;
      const full = `${abs}/${name}`;
      const nameRaw = raw || (listedRaw && hasEscapedBytes(name));
      const at = nameRaw ? encodeName(full) : full;
      if (tags !== undefined && name.charCodeAt(0) === 46) {
        const tag = tempTagOf(name);
        if (tag !== undefined && tags.has(tag)) {
          this.result.leftovers.push(path);
          continue;
        }
      }
      let stats: Stats | undefined;
      try {
        stats = lstatSync(at, { throwIfNoEntry: false });
      } catch (error) {
        this.result.errors.push({ path, message: describe(error) });
        continue;
      }
      if (!stats) {
        this.#warn(path, 'vanished during the scan');
        continue;
      }
      if (stats.isSymbolicLink()) {
        if (this.#symlinks === SymlinkMode.Skip) continue;
        if (this.#symlinks === SymlinkMode.Follow) {
          const followed = this.#follow(path, full);
          if (!followed) continue;
          stats = followed;
        } else {
          if (this.filter && !this.filter(path, false)) continue;
          let target: string;
          try {
            target = readLink(at);
          } catch (error) {
            this.#readError(path, error);
            continue;
          }
          entries.push(path, EntryType.Symlink, 0, stats.mtimeMs, stats.mode, target);
          if (++this.#sinceYield >= this.#yieldEvery) await this.#yield();
          continue;
        }
      }
      const isDirectory = stats.isDirectory();
      if (this.filter && !this.filter(path, isDirectory)) continue;
      if (isDirectory) {
        entries.push(path, EntryType.Directory, 0, stats.mtimeMs, stats.mode);
        if (++this.#sinceYield >= this.#yieldEvery) await this.#yield();
        await this.walk(path, full, nameRaw);
      } else if (stats.isFile()) {
        entries.push(path, EntryType.File, stats.size, stats.mtimeMs, stats.mode);
        if (++this.#sinceYield >= this.#yieldEvery) await this.#yield();
      } else if (this.#side === 'destination') {
        entries.push(path, EntryType.Other, 0, stats.mtimeMs, stats.mode);
      } else {
        this.#warn(path, 'not a regular file, directory or symlink; skipped');
      }
    }
  }

  /** --symlinks follow: the link's target if it stays inside the source root and makes no loop. */
  #follow(path: string, full: string): Stats | undefined {
    let stats: Stats | undefined;
    let real: string;
    try {
      stats = statSync(fsPath(full), { throwIfNoEntry: false });
      if (!stats) {
        this.#warn(path, 'dangling symlink; skipped');
        return undefined;
      }
      this.#realRoot ??= realpathSync(this.root);
      real = decodeName(realpathSync(fsPath(full), { encoding: 'buffer' }));
      if (!inside(this.#realRoot, real)) {
        this.#warn(path, 'symlink points outside the source; not followed');
        return undefined;
      }
      if (
        stats.isDirectory() &&
        inside(real, decodeName(realpathSync(fsPath(dirname(full)), { encoding: 'buffer' })))
      ) {
        this.#warn(path, 'symlink to a directory that contains it (a loop); not followed');
        return undefined;
      }
    } catch (error) {
      this.#readError(path, error);
      return undefined;
    }
    return stats;
  }

  #readError(path: string, error: unknown): void {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') this.#warn(path, 'vanished during the scan');
    else this.result.errors.push({ path, message: describe(error) });
  }

  #warn(path: string, message: string): void {
    this.result.warnings.push({ path, message });
  }

  /** Called every `yieldEvery` entries only: an await per entry would cost a promise each. */
  async #yield(): Promise<void> {
    this.#sinceYield = 0;
    await yieldToLoop();
  }
}

function describe(error: unknown): string {
  const { code, message } = error as NodeJS.ErrnoException;
  return code ? `${code}: ${message.replace(/^[A-Z]+: /, '')}` : String(message ?? error);
}

/** Lexical containment (core's isInside, inlined: this module must load without core). */
function inside(parent: string, child: string): boolean {
  const rel = relative(parent, child);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${sep}`) && !rel.startsWith(sep));
}

/**
 * A directory's names as strings; when one came back with U+FFFD (bytes that are not UTF-8),
 * the directory is read again as bytes so no name is lost (see fsName.ts).
 */
function readNames(abs: string, raw: boolean): [names: string[], raw: boolean] {
  const at = raw ? encodeName(abs) : abs;
  const names = readdirSync(at);
  if (!names.some(mayBeLossy)) return [names, false];
  return [readdirSync(at, { encoding: 'buffer' }).map(decodeName), true];
}

/** A link's target, byte for byte (a target is a name too). */
function readLink(at: string | Buffer): string {
  const target = readlinkSync(at);
  return mayBeLossy(target) ? decodeName(readlinkSync(at, { encoding: 'buffer' })) : target;
}
