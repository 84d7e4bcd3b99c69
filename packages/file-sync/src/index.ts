export type { Destination, FileAttrs } from './destination/Destination.js';
export { LocalDestination, type LocalDestinationOptions } from './destination/LocalDestination.js';
export { EntryFailedError, SourceVanishedError } from './errors.js';
export { resolveSyncOptions, type SyncFlags, type SyncOptions } from './options.js';
export { type PlanSyncOptions, planSync, type SyncAction, type SyncPlan } from './plan/planSync.js';
export { assertRelativePath } from './plan/relativePath.js';
export {
  countPlan,
  displayPath,
  quotePath,
  renderSyncAction,
  renderSyncPlan,
} from './plan/render.js';
export { Phase, type SyncDetails, SyncOp, type SyncOpValue, UpdateReason } from './plan/types.js';
export { checkRoots, type RootFacts } from './safety/checkRoots.js';
export { DEFAULT_MAX_DELETE, type SyncSection, syncSection } from './section.js';
export { buildStats, renderApplied, renderNoop, type SyncStats } from './summary.js';
export { type Entry, EntryTable, EntryType, type EntryTypeValue } from './tree/EntryTable.js';
export { decodeName, encodeName, fsPath } from './tree/fsName.js';
export { createPathFilter, type PathFilter } from './tree/pathFilter.js';
export { type ScanOptions, type ScanResult, SymlinkMode, scanTree } from './tree/scanTree.js';
export { NAME_MAX_BYTES, TEMP_TAG_STEP, TempNames, tempTagOf, truncateBytes } from './tree/tempName.js';
