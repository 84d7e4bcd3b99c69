/** The CLI a package's integration tests run: its BUILT bin, never its sources. */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type CliSpec, tempWorkspace, type Workspace } from './Workspace.js';

export interface DefineCliOptions {
  /** The CLI's name: its state directory under `$XDG_STATE_HOME/tempered/`. */
  name: string;
  /** The package's directory, e.g. `new URL('../../', import.meta.url)` from `tests/integration/`. */
  packageUrl: URL;
  /** The bin, relative to the package; default: the one `bin` of its package.json. */
  bin?: string;
  /** Built files (relative to the package) the tests need; a missing one fails at import time. */
  built: readonly string[];
  /** How to build them, for that failure's message. */
  buildHint: string;
}

export interface BuiltCli extends CliSpec {
  /** A temp workspace of one test that runs this CLI (see `Workspace`). */
  workspace(): Promise<Workspace>;
}

export function defineCli(options: DefineCliOptions): BuiltCli {
  const resolve = (path: string) => fileURLToPath(new URL(path, options.packageUrl));
  for (const file of options.built.map(resolve)) {
    if (!existsSync(file)) {
      throw new Error(
        `${file} is missing: these tests run the built CLI; build first (${options.buildHint})`,
      );
    }
  }
  assertBundleFresh(resolve('package.json'), options.built.map(resolve), options.buildHint);
  const cli: BuiltCli = {
    name: options.name,
    bin: resolve(options.bin ?? packageBin(resolve('package.json'))),
    workspace: () => tempWorkspace({ prefix: `${options.name}-it-`, cli }),
  };
  return cli;
}

/** The package's only bin (the file operators run), as a path relative to the package. */
export function packageBin(packageJsonPath: string): string {
  const pkg = JSON.parse(readFileSync(packageJsonPath, 'utf8')) as { bin?: string | Record<string, string> };
  const bins = typeof pkg.bin === 'string' ? [pkg.bin] : Object.values(pkg.bin ?? {});
  if (bins.length !== 1)
    throw new Error(`${packageJsonPath}: expected exactly one bin, found ${bins.length}`);
  return bins[0]!;
}

/**
 * A bundled CLI runs its bundle, not dist/: a bundle older than the compiled files it is made of
 * (after a bare `tsc -b`) would test yesterday's code, so it fails here, naming the newer file.
 */
function assertBundleFresh(packageJsonPath: string, built: readonly string[], buildHint: string): void {
  const pkg = JSON.parse(readFileSync(packageJsonPath, 'utf8')) as {
    oclif?: { commands?: string | { strategy?: string; target?: string } };
  };
  const commands = pkg.oclif?.commands;
  if (typeof commands !== 'object' || commands.strategy !== 'explicit' || !commands.target) return;
  const root = dirname(packageJsonPath);
  const bundle = join(root, commands.target);
  if (!existsSync(bundle))
    throw new Error(`${bundle} is missing: these tests run the built CLI; build first (${buildHint})`);
  const bundleTime = statSync(bundle).mtimeMs;
  const dirs = new Set([join(root, 'dist'), ...built.filter((file) => !file.startsWith(root)).map(dirname)]);
  for (const dir of dirs) {
    const newer = newestJs(dir);
    // the slack covers a build cache restoring files in any order within a second or two
    if (newer && newer.mtimeMs > bundleTime + 2000) {
      throw new Error(`${bundle} is older than ${newer.path}: rebuild the bundle (${buildHint})`);
    }
  }
}

function newestJs(dir: string): { path: string; mtimeMs: number } | undefined {
  let newest: { path: string; mtimeMs: number } | undefined;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.js')) continue;
    const path = join(entry.parentPath, entry.name);
    const { mtimeMs } = statSync(path);
    if (!newest || mtimeMs > newest.mtimeMs) newest = { path, mtimeMs };
  }
  return newest;
}
