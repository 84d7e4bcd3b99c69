export {
  type ApplyContext,
  type ApplyOptions,
  applyPlan,
  isSettledFailure,
  type PlanJournal,
  type SettledFailure,
} from './applyPlan.js';
export { planToJson, renderAction, renderPlanHuman, renderSummaryLine, summarizePlan } from './renderPlan.js';
export type {
  ActionKindValue,
  ActionOutcome,
  ApplyResult,
  Plan,
  PlanAction,
  PlanSummary,
} from './types.js';
