export { ApplyCommand } from './ApplyCommand.js';
export { JobCommand, jobFlags } from './JobCommand.js';
export { type ErrorJson, errorLine, errorToJson, normalizeError } from './normalizeError.js';
export { newRunId } from './runId.js';
export { StatsCommand } from './StatsCommand.js';
export { readOnlyFlags, standardFlags } from './standardFlags.js';
export { type RunContext, type SuccessJson, TemperedCommand } from './TemperedCommand.js';
