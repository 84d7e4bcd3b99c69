import {
  lstat,
  mkdir,
  readdir,
  readFile,
  readlink,
  rename,
  rm,
  stat,
  symlink,
  writeFile,
} from 'node:fs/promises';
import { basename, dirname, join, relative } from 'node:path';
import {
  acquireFileLock,
  atomicSymlink,
  atomicWriteJson,
  breakFileLock,
  fsyncDir,
  inspectFileLock,
  type LockHandle,
  type LockOwner,
  PermanentError,
  resolveSafePath,
  UsageError,
} from '@tempered/core';
import { type ArtifactInfo, unpackArtifact } from '../artifact/index.js';
import { isSafeReleaseId, RESERVED_SUFFIXES } from '../release/releaseId.js';
import { emptyLog, readReleaseLogText } from '../release/releaseLog.js';
import type { ReleaseDir } from '../release/select.js';
import type { ReleaseLog } from '../release/types.js';
import { runShell } from './runShell.js';
import type {
  DeployTarget,
  ExecOptions,
  ExecResult,
  PrepareOptions,
  TargetLockOptions,
  TargetState,
} from './types.js';

/** The layout under a target directory. */
export const LAYOUT = {
  releases: 'releases',
  current: 'current',
  shared: 'shared',
  log: 'release-log.json',
  /** The target's own lock lives here, in `locks/` (core's file lock, made 0700). */
  meta: '.deploy',
} as const;

const LOCK_NAME = 'deploy';

/**
 * A directory on this host:
 *
 *     <root>/releases/<id>/      one per release
 *     <root>/current -> releases/<id>   (relative symlink, swapped atomically)
 *     <root>/shared/             linked into every release
 *     <root>/release-log.json    who, when, version, digest, status, duration
 */
export class LocalTarget implements DeployTarget {
  readonly kind = 'local';
  readonly id: string;
  readonly display: string;
  readonly #root: string;

  constructor(root: string) {
    this.#root = root;
    this.id = root;
    this.display = root;
  }

  get root(): string {
    return this.#root;
  }

  releasePath(id: string): string {
    return join(this.#root, LAYOUT.releases, id);
  }

  async inspect(): Promise<TargetState> {
    const rootInfo = await lstatOrUndefined(this.#root);
    if (rootInfo === undefined) return { exists: false, current: undefined, releases: [], leftovers: [] };
    if (!rootInfo.isDirectory()) {
      // a symlink to a directory is fine; anything else cannot hold releases
      const followed = rootInfo.isSymbolicLink() ? await statDirectory(this.#root) : false;
      if (!followed) {
        throw new UsageError(`deploy target ${this.#root} is not a directory`, {
          hint: 'point deploy.target.path at a directory (it is created if missing)',
        });
      }
    }
    const releasesDir = join(this.#root, LAYOUT.releases);
    const releases: ReleaseDir[] = [];
    const leftovers: string[] = [];
    for (const name of await readdirOrEmpty(releasesDir)) {
      if (RESERVED_SUFFIXES.some((suffix) => name.endsWith(suffix))) {
        leftovers.push(name);
        continue;
      }
      const info = await lstatOrUndefined(join(releasesDir, name));
      if (info?.isDirectory() && isSafeReleaseId(name)) releases.push({ id: name, mtimeMs: info.mtimeMs });
    }
    return { exists: true, current: await this.#currentId(), releases, leftovers: leftovers.sort() };
  }

  async #currentId(): Promise<string | undefined> {
    const link = join(this.#root, LAYOUT.current);
    const info = await lstatOrUndefined(link);
    if (info === undefined) return undefined;
    if (!info.isSymbolicLink()) {
      throw new UsageError(`${link} is not a symlink; deploy manages it as one`, {
        hint: `move it away (e.g. into ${LAYOUT.releases}/initial), then deploy again`,
      });
    }
    const value = await readlink(link);
    const match = /^(?:\.\/)?releases\/([^/]+)\/?$/.exec(value);
    return match?.[1] !== undefined && isSafeReleaseId(match[1]) ? match[1] : undefined;
  }

  async readLog(): Promise<ReleaseLog> {
    const path = join(this.#root, LAYOUT.log);
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return emptyLog();
      throw error;
    }
    return readReleaseLogText(text, path);
  }

  async snapshot(): Promise<{ state: TargetState; log: ReleaseLog }> {
    const [state, log] = await Promise.all([this.inspect(), this.readLog()]);
    return { state, log };
  }

  async writeLog(log: ReleaseLog): Promise<void> {
    await mkdir(this.#root, { recursive: true });
    await atomicWriteJson(join(this.#root, LAYOUT.log), log, { mode: 0o644 });
  }

  async prepareRelease(id: string, artifact: ArtifactInfo, options: PrepareOptions): Promise<void> {
    const final = this.releasePath(id);
    const partial = `${final}.partial`;
    await mkdir(dirname(final), { recursive: true });
    // a killed run may have left its half-copied directory: start over
    await rm(partial, { recursive: true, force: true });
    await unpackArtifact(artifact, partial, options);
    await fsyncDir(partial);
    if (options.replace) await this.#moveAside(id);
    await rename(partial, final);
    await fsyncDir(dirname(final));
  }

  async linkShared(id: string, paths: readonly string[]): Promise<void> {
    const release = this.releasePath(id);
    const sharedRoot = join(this.#root, LAYOUT.shared);
    await mkdir(sharedRoot, { recursive: true });
    for (const entry of paths) {
      const asDirectory = entry.endsWith('/') || !basename(entry).includes('.');
      // `rel` is checked by the config schema (relative, no `..`); shared/ is the operator's, so
      // a symlink there (shared/logs -> /var/log/app) is allowed; inside the release it is not
      const rel = entry.replace(/\/+$/, '');
      const shared = join(sharedRoot, rel);
      const inRelease = join(release, rel);
      if (dirname(rel) !== '.') await resolveSafePath(release, dirname(rel));
      if ((await lstatOrUndefined(shared)) === undefined) {
        await mkdir(dirname(shared), { recursive: true });
        if (asDirectory) await mkdir(shared, { recursive: true });
        else await writeFile(shared, '', { mode: 0o600, flag: 'wx' });
      }
      const linkTarget = relative(dirname(inRelease), shared);
      const existing = await lstatOrUndefined(inRelease);
      if (existing?.isSymbolicLink() && (await readlink(inRelease)) === linkTarget) continue;
      // what the artifact shipped at a shared path is replaced by the link (logs/, .env)
      if (existing) await rm(inRelease, { recursive: true, force: true });
      await mkdir(dirname(inRelease), { recursive: true });
      await symlink(linkTarget, inRelease);
    }
  }

  async switchTo(id: string): Promise<void> {
    const final = this.releasePath(id);
    const info = await lstatOrUndefined(final);
    if (!info?.isDirectory()) {
      throw new PermanentError(`cannot switch to release ${id}: ${final} is missing`, {
        hint: 'deploy list shows the releases on the target',
      });
    }
    await atomicSymlink(`${LAYOUT.releases}/${id}`, join(this.#root, LAYOUT.current));
  }

  async removeRelease(id: string): Promise<void> {
    if ((await this.#currentId()) === id) {
      throw new PermanentError(`refusing to remove release ${id}: current points to it`);
    }
    const removing = await this.#moveAside(id);
    if (removing) await rm(removing, { recursive: true, force: true });
  }

  async removeLeftover(name: string): Promise<void> {
    if (!RESERVED_SUFFIXES.some((suffix) => name.endsWith(suffix)) || name.includes('/')) {
      throw new PermanentError(`refusing to remove ${name}: not a leftover of an interrupted run`);
    }
    await rm(join(this.#root, LAYOUT.releases, name), { recursive: true, force: true });
  }

  /**
   * Renames releases/<id> to releases/<id>.removing first: a crash mid-delete then leaves a
   * leftover the next run sweeps, never a half-deleted release that looks complete.
   */
  async #moveAside(id: string): Promise<string | undefined> {
    const final = this.releasePath(id);
    const removing = `${final}.removing`;
    await rm(removing, { recursive: true, force: true });
    try {
      await rename(final, removing);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
    await fsyncDir(dirname(final));
    return removing;
  }

  exec(id: string, command: string, options: ExecOptions): Promise<ExecResult> {
    return runShell(command, this.releasePath(id), options);
  }

  async lock(options: TargetLockOptions): Promise<LockHandle> {
    // missing parents (a fresh target) get the usual mode, not 0700: the app's user reads them
    return acquireFileLock(this.#lockDir(), LOCK_NAME, {
      owner: options.owner,
      waitMs: options.waitMs,
      logger: options.logger,
      ...(options.signal ? { signal: options.signal } : {}),
    });
  }

  inspectLock(): Promise<LockOwner | undefined> {
    return inspectFileLock(this.#lockDir(), LOCK_NAME);
  }

  breakLock(): Promise<LockOwner | undefined> {
    return breakFileLock(this.#lockDir(), LOCK_NAME);
  }

  #lockDir(): string {
    return join(this.#root, LAYOUT.meta, 'locks');
  }
}

async function lstatOrUndefined(path: string) {
  try {
    return await lstat(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw error;
  }
}

async function statDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

async function readdirOrEmpty(path: string): Promise<string[]> {
  try {
    return await readdir(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return [];
    if (code === 'ENOTDIR') {
      throw new UsageError(`${path} is not a directory`, {
        hint: 'the target layout needs releases/ to be a directory',
      });
    }
    throw error;
  }
}
