import { basename, dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ExitCode } from '../errors/constants.js';
import { enableModuleCompileCache } from './compileCache.js';
import { loadBundle } from './loadBundle.js';
import { isBelowNodeFloor, nodeFloorMessage } from './nodeFloor.js';

/** What a CLI bundle built by tools/bundler exports. */
export interface CliBundle {
  /** `@tempered/core/main`: oclif, started from the bundle's directory, on these arguments. */
  main(dir: string, argv: readonly string[]): Promise<void>;
}

/**
 * A CLI's `bin` entry: load its bundle (one file, compiled from V8's code cache after the first
 * run of a command) and hand over to oclif. Everything heavy lives in the bundle; this module
 * imports only Node and is itself bundled next to it, so `bin` starts no ES module loader.
 */
export async function launch(
  bundle: URL | string,
  argv: readonly string[] = process.argv.slice(2),
): Promise<void> {
  const filename = bundle instanceof URL ? fileURLToPath(bundle) : bundle;
  if (isBelowNodeFloor(process.versions.node)) {
    // before the bundle: it is built for the floor and may not even parse on an older Node
    process.stderr.write(
      `${cliName(filename)}: ${nodeFloorMessage(process.versions.node, process.execPath)}\n`,
    );
    process.exitCode = ExitCode.Usage;
    return;
  }
  enableModuleCompileCache();
  let cli: CliBundle;
  try {
    cli = loadBundle<CliBundle>(filename, { variant: commandVariant(argv) });
  } catch (error) {
    // a broken install, not a bad run: one line, no stack, and what to do about it
    const name = cliName(filename);
    process.stderr.write(
      `${name}: cannot load ${filename}: ${(error as Error).message}; reinstall ${name}\n`,
    );
    process.exitCode = ExitCode.Failure;
    return;
  }
  await cli.main(pathToFileURL(filename).href, argv);
}

/** The command word a run starts with, when it looks like one; anything else shares one cache. */
export function commandVariant(argv: readonly string[]): string {
  const first = argv[0];
  return first !== undefined && /^[a-z][a-z0-9-]{0,31}$/.test(first) ? first : 'main';
}

/** The package directory's name (`deploy` for .../@tempered/deploy/dist/cli.cjs): what an operator typed. */
function cliName(filename: string): string {
  return basename(dirname(dirname(filename)));
}
