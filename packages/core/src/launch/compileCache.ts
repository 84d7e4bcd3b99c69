import { createHash } from 'node:crypto';
import {
  closeSync,
  fsyncSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';
import module from 'node:module';
import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * Where V8 code caches of bundled CLIs live, and how they are read and written.
 *
 * Compiling a CLI bundle is most of a cold start. Node's module compile cache does not reach a
 * bundle run through vm.Script, and it caches only what compiled eagerly, so the launcher keeps
 * V8's code cache per bundle and command, written at exit with the functions the run compiled. A code cache is executable: it is only read
 * from a directory this user owns and nobody else can write to, and its name carries a hash of
 * the exact source and Node build (V8's own check is little more than the source length).
 */
export interface CompileCacheLocation {
  dir: string;
  file: string;
}

export interface CompileCacheEnv {
  TEMPERED_COMPILE_CACHE?: string | undefined;
  XDG_CACHE_HOME?: string | undefined;
  HOME?: string | undefined;
}

const DISABLED = new Set(['0', 'off', 'false', 'no']);

export function compileCacheDir(env: CompileCacheEnv = process.env): string | undefined {
  const setting = env.TEMPERED_COMPILE_CACHE?.trim();
  if (setting && DISABLED.has(setting.toLowerCase())) return undefined;
  // a relative directory would follow the working directory of each run (cron's is HOME)
  if (setting) return setting.startsWith('/') ? setting : undefined;
  const base = env.XDG_CACHE_HOME?.startsWith('/') ? env.XDG_CACHE_HOME : homeCache(env);
  return base === undefined ? undefined : join(base, 'tempered', 'v8');
}

function homeCache(env: CompileCacheEnv): string | undefined {
  const home = env.HOME ?? safeHomedir();
  return home?.startsWith('/') ? join(home, '.cache') : undefined;
}

function safeHomedir(): string | undefined {
  try {
    return homedir();
  } catch {
    return undefined;
  }
}

const BUNDLE_ID = /^\/\/ tempered-bundle ([0-9a-f]{16,64})\n/;

export function compileCacheLocation(dir: string, name: string, source: string): CompileCacheLocation {
  // the bundler's content hash on the first line spares hashing the whole bundle at each start
  const id = BUNDLE_ID.exec(source.slice(0, 120))?.[1] ?? createHash('sha256').update(source).digest('hex');
  const hash = createHash('sha256')
    .update(`${process.version}\0${process.arch}\0${process.versions.v8}\0${source.length}\0${id}`)
    .digest('hex')
    .slice(0, 32);
  return { dir, file: join(dir, `${name}-${hash}.v8`) };
}

/** The directory exists (created 0700), is ours and is writable by nobody else; otherwise false. */
export function ensurePrivateDir(dir: string): boolean {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const stat = lstatSync(dir);
    const uid = process.getuid?.();
    if (!stat.isDirectory()) return false;
    if (uid !== undefined && stat.uid !== uid) return false;
    return (stat.mode & 0o022) === 0;
  } catch {
    return false;
  }
}

export function readCompileCache(location: CompileCacheLocation): Buffer | undefined {
  if (!ensurePrivateDir(location.dir)) return undefined;
  try {
    const stat = lstatSync(location.file);
    const uid = process.getuid?.();
    if (!stat.isFile() || (uid !== undefined && stat.uid !== uid) || (stat.mode & 0o022) !== 0)
      return undefined;
    return readFileSync(location.file);
  } catch {
    return undefined;
  }
}

/** Caches of other builds are kept this long: two installs of one CLI must not evict each other. */
const STALE_AFTER_MS = 7 * 24 * 60 * 60 * 1000;

/**
 * Replaces the cache atomically (temp file, fsync, rename) and removes caches of other builds of
 * the same bundle older than a week. Failures are ignored: a missing cache only costs start-up.
 */
export function writeCompileCache(location: CompileCacheLocation, name: string, data: Buffer): void {
  if (!ensurePrivateDir(location.dir)) return;
  const temp = `${location.file}.${process.pid}.tmp`;
  try {
    const fd = openSync(temp, 'wx', 0o600);
    try {
      writeSync(fd, data);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, location.file);
  } catch {
    rmSync(temp, { force: true });
    return;
  }
  removeStale(location, name);
}

function removeStale(location: CompileCacheLocation, name: string): void {
  const cutoff = Date.now() - STALE_AFTER_MS;
  try {
    for (const entry of readdirSync(location.dir)) {
      const path = join(location.dir, entry);
      if (path === location.file || !entry.startsWith(`${name}-`) || !entry.endsWith('.v8')) continue;
      if (lstatSync(path).mtimeMs < cutoff) rmSync(path, { force: true });
    }
  } catch {
    // another run may be pruning too
  }
}

/**
 * Turns on Node's module compile cache for what a run loads outside the bundle (undici, tar,
 * worker scripts), in a private directory beside the bundle caches. Never under the working
 * directory, and silently off when the cache directory is not ours or not writable: a missing
 * cache only costs start-up.
 */
export function enableModuleCompileCache(env: CompileCacheEnv = process.env): void {
  const base = compileCacheDir(env);
  if (base === undefined) return;
  const dir = join(base, 'modules');
  // the parent first: a private directory inside one others can write to is not private
  if (!ensurePrivateDir(base) || !ensurePrivateDir(dir)) return;
  try {
    module.enableCompileCache?.(dir);
  } catch {
    // an older or unusual Node build: start without it
  }
}
