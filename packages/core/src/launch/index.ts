export { type CompileCacheEnv, compileCacheDir, enableModuleCompileCache } from './compileCache.js';
export { type CliBundle, commandVariant, launch } from './launch.js';
export { type LoadBundleOptions, loadBundle } from './loadBundle.js';
export { isBelowNodeFloor, NODE_FLOOR, nodeFloorMessage } from './nodeFloor.js';
