export { lockNameFor } from './lockName.js';
export { type JobResult, type RunHooks, type RunJobOptions, runJob } from './runJob.js';
export {
  configHash,
  diffFacts,
  driftError,
  PLAN_FORMAT,
  PLAN_MAX_AGE_MS,
  readSavedPlan,
  type SavedPlan,
  writeSavedPlan,
} from './savedPlan.js';
export type {
  AnyJob,
  Applier,
  ApplyPolicy,
  ExtraLock,
  Job,
  JobInput,
  JobIO,
  JobPlan,
  ReadIO,
} from './types.js';
