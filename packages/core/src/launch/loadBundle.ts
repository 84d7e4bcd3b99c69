import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Script } from 'node:vm';
import {
  compileCacheDir,
  compileCacheLocation,
  readCompileCache,
  writeCompileCache,
} from './compileCache.js';

export interface LoadBundleOptions {
  env?: NodeJS.ProcessEnv;
  /**
   * Keeps a separate cache per variant (the command being run): a cache holds the functions
   * its first run compiled, so `--help` and a sync each get theirs.
   */
  variant?: string;
}

type ModuleRecord = { exports: unknown; filename: string; id: string; loaded: boolean; paths: string[] };

/**
 * Loads a CommonJS bundle the way `require` would, through V8's code cache when one is kept.
 * The module is registered in require's cache under its own path, so a later `require(path)`
 * (oclif loading the bundle's commands) gets this same instance instead of a second copy.
 */
export function loadBundle<T>(filename: string, options: LoadBundleOptions = {}): T {
  const env = options.env ?? process.env;
  const source = readFileSync(filename, 'utf8');
  const name = [
    basename(dirname(dirname(filename))),
    basename(filename).replace(/\.c?js$/, ''),
    options.variant,
  ]
    .filter(Boolean)
    .join('-');
  const dir = compileCacheDir(env);
  const location = dir === undefined ? undefined : compileCacheLocation(dir, name, source);
  const cachedData = location === undefined ? undefined : readCompileCache(location);

  const script = new Script(wrap(source), {
    filename,
    ...(cachedData ? { cachedData } : {}),
  });
  if (location !== undefined && (cachedData === undefined || script.cachedDataRejected === true)) {
    // at exit, so the functions this run compiled lazily are in the cache too
    process.once('exit', () => writeCompileCache(location, name, script.createCachedData()));
  }

  const require = requireAcceptingUrls(createRequire(filename));
  const module: ModuleRecord = { exports: {}, filename, id: filename, loaded: false, paths: [] };
  require.cache[filename] = module as unknown as NodeJS.Module;
  const body = script.runInThisContext() as (
    exports: unknown,
    require: NodeJS.Require,
    module: ModuleRecord,
    filename: string,
    dirname: string,
  ) => void;
  try {
    body.call(module.exports, module.exports, require, module, filename, dirname(filename));
  } catch (error) {
    delete require.cache[filename];
    throw error;
  }
  module.loaded = true;
  return module.exports as T;
}

/**
 * The bundle's `import()` calls are compiled to `require()` (see tools/bundler), and oclif
 * imports a plugin's ES module commands and hooks by file URL, which `require` refuses: give it
 * the path. Node >= 22.12 loads an ES module through `require`.
 */
function requireAcceptingUrls(base: NodeJS.Require): NodeJS.Require {
  const accepting = (id: string) => base(id.startsWith('file:') ? fileURLToPath(id) : id);
  return Object.assign(accepting, {
    resolve: base.resolve,
    cache: base.cache,
    extensions: base.extensions,
    main: base.main,
  }) as NodeJS.Require;
}

function wrap(source: string): string {
  return `(function (exports, require, module, __filename, __dirname) { ${source}\n})`;
}
