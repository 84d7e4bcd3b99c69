import type { Dirent, Stats } from 'node:fs';
import { lstat, mkdir, readdir, realpath, rename, rm, rmdir, stat, unlink } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import {
  compactTimestamp,
  formatAge,
  isInside,
  PathEscapeError,
  PermanentError,
  parseCompactTimestamp,
  realpathDeepest,
  resolveSafePath,
  UsageError,
} from '@tempered/core';
import { describeResource } from '../provider/describe.js';
import {
  type DeleteOutcome,
  DeleteStatus,
  type FsEntryResource,
  type Listing,
  type Provider,
  type ProviderContext,
  ProviderKind,
  type TrashBatchResource,
} from '../provider/types.js';
import type { SelectItem } from '../select/selectItems.js';
import { compileGlobs, compileProtect, type EntryKind, type GlobMatcher } from './globs.js';

export type FsResource = FsEntryResource | TrashBatchResource;

export interface FsProviderOptions {
  rule: string;
  /** Absolute. */
  path: string;
  match: readonly string[];
  protect?: readonly string[] | undefined;
  /** Absolute; move instead of delete. */
  trash?: string | undefined;
  trashRetentionMs: number;
  /** Names this run's batch directory in the trash. */
  runId: string;
  now: number;
}

const BATCH = /^(\d{8}T\d{6}Z)-[A-Za-z0-9._-]+$/;

/**
 * Files and directories under `path`. Symlinks are never followed (nor deleted: they are listed
 * as skips), `path` itself is never a candidate, and every delete re-checks, just before it
 * happens, that the entry still lies inside `path` through no symlink and is still as old.
 */
export class FsProvider implements Provider<FsResource> {
  readonly kind = ProviderKind.Fs;
  readonly location: string;
  readonly #options: FsProviderOptions;
  readonly #match: GlobMatcher;
  readonly #protect: GlobMatcher;
  #root: string | undefined;
  #trash: string | undefined;
  #batch: string;

  constructor(options: FsProviderOptions) {
    this.#options = options;
    this.location = options.path;
    this.#match = compileGlobs(options.match);
    this.#protect = compileProtect(options.protect ?? []);
    // `<when>-<run>`: the time names when its entries were moved (the retention counts from it)
    const run = options.runId.replace(/^\d{8}T\d{6}Z-/, '').replace(/[^A-Za-z0-9._-]/g, '_') || 'run';
    this.#batch = `${compactTimestamp(new Date(options.now))}-${run}`;
  }

  async list(_ctx: ProviderContext): Promise<Listing<FsResource>> {
    const root = await this.#openRoot();
    const items: SelectItem<FsResource>[] = [];
    const scanned = await this.#walk(root, '', undefined, items);
    return { items, housekeeping: await this.#expiredBatches(), scanned };
  }

  describe(resource: FsResource): string {
    return describeResource(resource);
  }

  async delete(resource: FsResource, _ctx: ProviderContext): Promise<DeleteOutcome> {
    const root = await this.#openRoot();
    if (resource.type === 'trash-batch') return this.#purge(resource);
    const rel = resource.path;
    if (rel === '' || rel.split('/').some((part) => part === '' || part === '.' || part === '..')) {
      throw new PermanentError(`refusing to delete ${JSON.stringify(rel)}: not an entry under ${root}`);
    }
    let absolute: string;
    try {
      absolute = await resolveSafePath(root, rel);
    } catch (error) {
      if (!(error instanceof PathEscapeError)) throw error;
      throw new PermanentError(`refusing to delete ${JSON.stringify(rel)}: ${error.message}`, {
        cause: error,
      });
    }
    const info = await lstatOrUndefined(absolute);
    if (!info) return { status: DeleteStatus.AlreadyGone };
    const kind = kindOf(info);
    if (kind !== resource.entry) {
      return { status: DeleteStatus.Changed, detail: `now a ${kind}, planned as a ${resource.entry}` };
    }
    const now = kind === 'dir' ? await treeFacts(absolute, () => undefined) : { mtimeMs: info.mtimeMs };
    if (now.mtimeMs > resource.mtimeMs) {
      return { status: DeleteStatus.Changed, detail: 'modified since the plan' };
    }
    if (this.#trash) {
      const destination = join(this.#trash, this.#batch, this.#options.rule, ...rel.split('/'));
      await mkdir(dirname(destination), { recursive: true, mode: 0o700 });
      try {
        await rename(absolute, destination);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error;
        throw new PermanentError(`cannot move ${JSON.stringify(rel)} to the trash: another filesystem`, {
          cause: error,
          hint: 'put trash on the same filesystem as path',
        });
      }
      return { status: DeleteStatus.Moved, detail: destination };
    }
    if (kind === 'dir') await rm(absolute, { recursive: true });
    else await unlink(absolute);
    return { status: DeleteStatus.Deleted };
  }

  /** realpath(path), checked once per run: it must be a directory, and the trash must not contain it. */
  async #openRoot(): Promise<string> {
    if (this.#root) return this.#root;
    const { path, trash, rule } = this.#options;
    let info: Stats;
    try {
      info = await stat(path);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new PermanentError(`rule "${rule}": cannot read path ${path}: ${code ?? String(error)}`, {
        cause: error,
        hint: 'check the rule\'s path (a missing mount?): a path that cannot be read is never "nothing to delete"',
      });
    }
    if (!info.isDirectory()) {
      throw new PermanentError(`rule "${rule}": path ${path} is not a directory`, {
        hint: "point the rule's path at the directory to clean",
      });
    }
    const root = await realpath(path);
    if (trash) {
      const trashReal = await realpathDeepest(resolve(trash));
      if (isInside(trashReal, root)) {
        throw new UsageError(`rule "${rule}": trash ${trash} contains path ${path}`, {
          hint: 'put the trash directory outside the path it cleans (or beside it)',
        });
      }
      const trashDevice = await deviceOf(trashReal);
      if (trashDevice !== info.dev) {
        throw new UsageError(`rule "${rule}": trash ${trash} is on another filesystem than ${path}`, {
          hint: 'put trash on the same filesystem as path: entries are moved there by rename',
        });
      }
      this.#trash = trashReal;
    }
    this.#root = root;
    return root;
  }

  /** Depth first; returns how many entries it looked at. */
  async #walk(
    absolute: string,
    rel: string,
    protectedBy: string | undefined,
    items: SelectItem<FsResource>[],
  ): Promise<number> {
    let entries: Dirent[];
    try {
      entries = await readdir(absolute, { withFileTypes: true });
    } catch (error) {
      throw new PermanentError(
        `rule "${this.#options.rule}": cannot list ${absolute}: ${(error as NodeJS.ErrnoException).code ?? error}`,
        { cause: error, hint: 'make the directory readable by this user' },
      );
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    let scanned = 0;
    for (const entry of entries) {
      const path = rel === '' ? entry.name : `${rel}/${entry.name}`;
      const full = join(absolute, entry.name);
      if (this.#trash && isInside(this.#trash, full)) continue;
      scanned++;
      const kind: EntryKind = entry.isSymbolicLink()
        ? 'symlink'
        : entry.isDirectory()
          ? 'dir'
          : entry.isFile()
            ? 'file'
            : 'other';
      const guard = protectedBy ?? this.#protect(path, kind);
      const matched = this.#match(path, kind);
      if (matched === undefined) {
        if (kind === 'dir')
          scanned += await this.#walk(full, path, protectedBy ?? guardOf(guard, path), items);
        continue;
      }
      const info = await lstatOrUndefined(full);
      if (!info) continue; // gone while listing
      const resource: FsEntryResource = {
        type: 'fs-entry',
        path,
        entry: kind,
        mtimeMs: info.mtimeMs,
        size: info.size,
      };
      let blocked: string | undefined;
      if (protectedBy !== undefined) blocked = `protected: inside ${protectedBy}`;
      else if (guard !== undefined) blocked = `protected by ${guard}`;
      else if (kind === 'symlink') blocked = 'a symlink: never followed nor deleted';
      else if (kind === 'other') blocked = 'not a regular file or directory';
      if (kind === 'dir') {
        const facts = await treeFacts(full, (sub, subKind) =>
          this.#protect(`${path}/${sub}`, subKind) === undefined ? undefined : `${path}/${sub}`,
        );
        resource.mtimeMs = facts.mtimeMs;
        resource.size = facts.size;
        scanned += facts.entries;
        if (blocked === undefined && facts.protectedEntry !== undefined)
          blocked = `protected: holds ${facts.protectedEntry}`;
      }
      items.push({
        key: path,
        group: matched,
        createdMs: resource.mtimeMs,
        blocked,
        ranked: kind === 'file' || kind === 'dir',
        resource,
      });
    }
    return scanned;
  }

  /** Batches of this rule in the trash older than the retention (by the time in their name). */
  async #expiredBatches(): Promise<Listing<FsResource>['housekeeping']> {
    const trash = this.#trash;
    if (!trash) return [];
    let names: string[];
    try {
      names = await readdir(trash);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    const out: Listing<FsResource>['housekeeping'] = [];
    for (const name of names.sort()) {
      const stamp = BATCH.exec(name)?.[1];
      const movedAt = stamp === undefined ? undefined : parseCompactTimestamp(stamp);
      if (movedAt === undefined) continue;
      const age = this.#options.now - movedAt;
      if (age < this.#options.trashRetentionMs) continue;
      const path = `${name}/${this.#options.rule}`;
      if (!(await lstatOrUndefined(join(trash, name, this.#options.rule)))) continue;
      out.push({
        key: `trash/${path}`,
        resource: { type: 'trash-batch', path, movedAt: new Date(movedAt).toISOString() },
        reason: `moved to the trash ${formatAge(age)} ago, past the retention`,
      });
    }
    return out;
  }

  async #purge(resource: TrashBatchResource): Promise<DeleteOutcome> {
    const trash = this.#trash;
    const [batch, rule] = resource.path.split('/');
    if (!trash || !batch || rule !== this.#options.rule || !BATCH.test(batch)) {
      throw new PermanentError(
        `refusing to purge ${JSON.stringify(resource.path)}: not a trash batch of this rule`,
      );
    }
    const target = join(trash, batch, rule);
    if (!(await lstatOrUndefined(target))) return { status: DeleteStatus.AlreadyGone };
    await rm(target, { recursive: true });
    await rmdir(join(trash, batch)).catch(() => undefined); // other rules' entries may remain
    return { status: DeleteStatus.Deleted };
  }
}

function guardOf(guard: string | undefined, path: string): string | undefined {
  return guard === undefined ? undefined : path;
}

function kindOf(info: Stats): EntryKind {
  if (info.isSymbolicLink()) return 'symlink';
  if (info.isDirectory()) return 'dir';
  return info.isFile() ? 'file' : 'other';
}

async function lstatOrUndefined(path: string): Promise<Stats | undefined> {
  try {
    return await lstat(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

interface TreeFacts {
  mtimeMs: number;
  size: number;
  entries: number;
  protectedEntry?: string | undefined;
}

/** Newest mtime and total size of a directory tree, symlinks not followed; the first protected entry in it. */
async function treeFacts(
  dir: string,
  isProtected: (rel: string, kind: EntryKind) => string | undefined,
  rel = '',
): Promise<TreeFacts> {
  const own = await lstat(dir);
  const facts: TreeFacts = { mtimeMs: own.mtimeMs, size: 0, entries: 0 };
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const sub = rel === '' ? entry.name : `${rel}/${entry.name}`;
    const full = join(dir, entry.name);
    facts.entries++;
    const kind: EntryKind = entry.isSymbolicLink()
      ? 'symlink'
      : entry.isDirectory()
        ? 'dir'
        : entry.isFile()
          ? 'file'
          : 'other';
    facts.protectedEntry ??= isProtected(sub, kind);
    if (kind === 'dir') {
      const inner = await treeFacts(full, isProtected, sub);
      facts.mtimeMs = Math.max(facts.mtimeMs, inner.mtimeMs);
      facts.size += inner.size;
      facts.entries += inner.entries;
      facts.protectedEntry ??= inner.protectedEntry;
    } else {
      const info = await lstatOrUndefined(full);
      if (!info) continue;
      facts.mtimeMs = Math.max(facts.mtimeMs, info.mtimeMs);
      if (kind === 'file') facts.size += info.size;
    }
  }
  return facts;
}

async function deviceOf(path: string): Promise<number> {
  let current = path;
  for (;;) {
    try {
      return (await stat(current)).dev;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      const parent = dirname(current);
      if (parent === current) throw error;
      current = parent;
    }
  }
}
