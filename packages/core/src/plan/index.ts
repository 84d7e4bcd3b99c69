export {
  type ApplyContext,
  type ApplyOptions,
  applyPlan,
  isSettledFailure,
  type PlanJournal,
  type SettledFailure,
} from './applyPlan.js';
export { planToJson, renderAction, renderPlanHuman, renderSummaryLine, summarizePlan } from './renderPlan.js';
export {
  type ActionKindValue,
  type ActionOutcome,
  type ApplyResult,
  type Plan,
  type PlanAction,
  type PlanSummary,
} from './types.js';
