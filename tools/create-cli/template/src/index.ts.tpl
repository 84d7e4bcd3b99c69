export { type FileChange, type PlanInputs, planFiles } from './plan.js';
export { configSection, DEFAULT_FILES, DEFAULT_TARGET, type Section } from './section.js';
