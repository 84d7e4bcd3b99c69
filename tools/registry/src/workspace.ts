import { existsSync } from 'node:fs';
import { cp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, delimiter, dirname, join, relative, sep } from 'node:path';
import { cleanEnv, execOk } from './exec.js';

export interface WorkspacePackage {
  /** Absolute directory. */
  dir: string;
  /** Directory relative to the workspace root, with `/`: `packages/file-sync`. */
  path: string;
  name: string;
  version: string;
  private: boolean;
  /** The command name of a CLI (the package's `oclif.bin`), else undefined. */
  bin: string | undefined;
  manifest: Record<string, unknown>;
}

/** The nearest directory at or above `from` that holds pnpm-workspace.yaml. */
export function findWorkspaceRoot(from: string): string {
  let dir = from;
  while (!existsSync(join(dir, 'pnpm-workspace.yaml'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no pnpm-workspace.yaml at or above ${from}`);
    dir = parent;
  }
  return dir;
}

/**
 * Every package of the workspace, from pnpm-workspace.yaml's `packages:` entries (each a
 * directory or `<dir>/*`), sorted by path.
 */
export async function workspacePackages(root: string): Promise<WorkspacePackage[]> {
  const yaml = await readFile(join(root, 'pnpm-workspace.yaml'), 'utf8');
  const globs = [...yaml.matchAll(/^\s*-\s*['"]?([^'"\s#]+)['"]?/gm)].map((m) => m[1]!);
  const dirs: string[] = [];
  for (const glob of globs) {
    if (glob.startsWith('!')) continue;
    if (glob.endsWith('/*')) {
      const parent = join(root, glob.slice(0, -2));
      const entries = await readdir(parent, { withFileTypes: true }).catch(() => []);
      for (const entry of entries) if (entry.isDirectory()) dirs.push(join(parent, entry.name));
    } else dirs.push(join(root, glob));
  }
  const packages: WorkspacePackage[] = [];
  for (const dir of dirs) {
    const file = join(dir, 'package.json');
    if (!existsSync(file)) continue;
    const manifest = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
    const oclif = manifest.oclif as { bin?: string } | undefined;
    packages.push({
      dir,
      path: relative(root, dir).split(sep).join('/'),
      name: manifest.name as string,
      version: manifest.version as string,
      private: manifest.private === true,
      bin: manifest.bin && oclif ? (oclif.bin ?? basename(dir)) : undefined,
      manifest,
    });
  }
  return packages.sort((a, b) => a.path.localeCompare(b.path));
}

/** The packages that get published: not private. */
export async function publicPackages(root: string): Promise<WorkspacePackage[]> {
  return (await workspacePackages(root)).filter((p) => !p.private);
}

/** The published CLIs: public packages with an `oclif` section and a `bin`. */
export async function cliPackages(root: string): Promise<WorkspacePackage[]> {
  return (await publicPackages(root)).filter((p) => p.bin !== undefined);
}

/** Never copied: installs, build output, caches, VCS. */
const SKIPPED = new Set(['node_modules', '.git', '.turbo', 'dist', 'coverage', 'oclif.manifest.json']);

/**
 * Copies the workspace's sources to `dest`: everything but node_modules, build output, caches,
 * .git, and the root .gitignore's plain entries (demo output, bench results). What a fresh clone
 * holds, plus uncommitted edits; the copy needs `pnpm install` and a build before use.
 */
export async function copyWorkspace(root: string, dest: string): Promise<void> {
  const ignored = await rootIgnores(root);
  await cp(root, dest, {
    recursive: true,
    verbatimSymlinks: true,
    filter: (source) => {
      const name = basename(source);
      if (SKIPPED.has(name) || name.endsWith('.tsbuildinfo') || name.endsWith('.log')) return false;
      const rel = relative(root, source).split(sep).join('/');
      return !ignored.has(rel);
    },
  });
}

async function rootIgnores(root: string): Promise<Set<string>> {
  const text = await readFile(join(root, '.gitignore'), 'utf8').catch(() => '');
  return new Set(
    text
      .split('\n')
      .map((line) => line.trim().replace(/^\//, '').replace(/\/$/, ''))
      .filter((line) => line !== '' && !line.startsWith('#') && !/[*?[!]/.test(line)),
  );
}

/** The pnpm version the workspace pins in `packageManager`. */
export async function pinnedPnpm(root: string): Promise<string> {
  const manifest = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as {
    packageManager?: string;
  };
  const match = /^pnpm@(\S+)$/.exec(manifest.packageManager ?? '');
  if (!match) throw new Error(`${root}/package.json has no "packageManager": "pnpm@<version>"`);
  return match[1]!;
}

let resolvedPnpm: Promise<string> | undefined;

/**
 * The pnpm executable: the `pnpm` on PATH (there under `npx pnpm ...`, `pnpm test` and turbo),
 * else the pinned version fetched once by npx with the caller's own npm config (never a test's
 * registry). Returns an absolute path.
 */
export function pnpmCommand(root: string, path = process.env.PATH ?? ''): Promise<string> {
  for (const dir of path.split(delimiter)) {
    if (dir && existsSync(join(dir, 'pnpm'))) return Promise.resolve(join(dir, 'pnpm'));
  }
  resolvedPnpm ??= pinnedPnpm(root).then(async (version) => {
    const { stdout } = await execOk('npx', ['-y', '-p', `pnpm@${version}`, '-c', 'command -v pnpm'], {
      timeoutMs: 120_000,
    });
    return stdout.trim();
  });
  return resolvedPnpm;
}

/**
 * Copies the workspace at `source` to `dest` (see `copyWorkspace`) and installs the copy with
 * pnpm, offline, from the store the real install filled: seconds, no network. The store is
 * named, since a `dest` on another filesystem would otherwise get a store of its own, empty.
 */
export async function copyAndInstallWorkspace(source: string, dest: string): Promise<void> {
  await copyWorkspace(source, dest);
  const pnpm = await pnpmCommand(source);
  const env = cleanEnv({ CI: '1' });
  const store = (await execOk(pnpm, ['store', 'path'], { cwd: source, env })).stdout.trim();
  await execOk(pnpm, ['install', '--offline', '--frozen-lockfile', '--store-dir', store], {
    cwd: dest,
    env,
    timeoutMs: 300_000,
  });
}

/**
 * Removes temp dirs named `<prefix>*` older than `maxAgeMs` (default 2 h): what a suite killed
 * before its afterAll (turbo stopping on another task's failure, Ctrl-C) left behind. A suite
 * runs for minutes, so an old one is never in use.
 */
export async function sweepStaleTempDirs(prefix: string, maxAgeMs = 2 * 60 * 60 * 1000): Promise<void> {
  const root = tmpdir();
  const entries = await readdir(root).catch(() => [] as string[]);
  for (const name of entries) {
    if (!name.startsWith(prefix)) continue;
    const path = join(root, name);
    const info = await stat(path).catch(() => undefined);
    if (info?.isDirectory() && Date.now() - info.mtimeMs > maxAgeMs) {
      await rm(path, { recursive: true, force: true }).catch(() => undefined);
    }
  }
}
