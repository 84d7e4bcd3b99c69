export { type CompileCacheEnv, compileCacheDir } from './compileCache.js';
export { type CliBundle, commandVariant, launch } from './launch.js';
export { type LoadBundleOptions, loadBundle } from './loadBundle.js';
