export { type AuditEntry, AuditLog } from './audit/AuditLog.js';
export { type CleanupFlags, cleanupFlags } from './flags.js';
export { FsProvider, type FsProviderOptions, type FsResource } from './fs/FsProvider.js';
export { compileGlobs, compileProtect, type EntryKind, type GlobMatcher } from './fs/globs.js';
export { CleanupApplier } from './job/CleanupApplier.js';
export { cleanupFacts } from './job/cleanupFacts.js';
export { CLEANUP_TARGET, cleanupJob } from './job/cleanupJob.js';
export { type CleanupStats, cleanupStats, type RuleStats } from './job/cleanupStats.js';
export { type CleanupInfo, type CleanupPlan, planCleanup, type RuleInfo } from './job/planCleanup.js';
export { type CleanupWorld, type RuleListing, readRules } from './job/readRules.js';
export { type CleanupOptions, type ResolvedRule, resolveCleanupOptions } from './options.js';
export { buildRuleActions, type RulePlan } from './plan/buildActions.js';
export { GC_NOTE, renderCleanupPlan } from './plan/render.js';
export { describeResource } from './provider/describe.js';
export * from './provider/types.js';
export { Authenticator } from './registry/Authenticator.js';
export { type Challenge, nextLink, parseChallenges } from './registry/headers.js';
export { MANIFEST_ACCEPT, MediaType } from './registry/mediaTypes.js';
export { RegistryClient, type RegistryClientOptions } from './registry/RegistryClient.js';
export { RegistryProvider, type RegistryProviderOptions } from './registry/RegistryProvider.js';
export {
  type CleanupSection,
  cleanupSection,
  DEFAULT_CONCURRENCY,
  DEFAULT_MAX_DELETE,
  type RuleConfig,
} from './section.js';
export { type Decision, type SelectItem, type SelectOptions, selectItems } from './select/selectItems.js';
export { type TagFacts, tagSafety } from './select/tagSafety.js';
