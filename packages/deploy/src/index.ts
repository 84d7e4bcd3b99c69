export {
  type ArtifactEntry,
  type ArtifactInfo,
  checkEntry,
  EntryChecker,
  inspectArtifact,
  normalizeEntryPath,
} from './artifact/index.js';
export { ArtifactError, ReleaseFailedError } from './errors.js';
export { planRelease, type ReleasePlanInput } from './plan/planRelease.js';
export { planRollback, type RollbackPlanInput } from './plan/planRollback.js';
export type { DeployAction, DeployPlan, DeployStep, Operation } from './plan/steps.js';
export { generateReleaseId, isSafeReleaseId, releaseIdFor } from './release/releaseId.js';
export { chooseRollbackTarget, newestFirst, previousGood, selectCleanup } from './release/select.js';
export {
  type HistoryEvent,
  type PendingOperation,
  type ReleaseLog,
  type ReleaseRecord,
  ReleaseStatus,
  type ReleaseStatusValue,
} from './release/types.js';
export { type DeployConfig, type DeploySection, deploySection, resolveDeployConfig } from './section.js';
export { LAYOUT, LocalTarget } from './target/LocalTarget.js';
export type { DeployTarget, ExecOptions, ExecResult, TargetState } from './target/types.js';
