import {
  ExitCode,
  InterruptedError,
  PermanentError,
  TemperedError,
  TransientError,
  UsageError,
} from '@tempered/core';

/** Names the rule in an error that does not already, keeping its exit code (1, 2 or 75). */
export function ruleError(rule: string, error: unknown): unknown {
  if (!(error instanceof TemperedError) || error instanceof InterruptedError) return error;
  if (error.message.includes(`rule "${rule}"`)) return error;
  const message = `rule "${rule}": ${error.message}`;
  const options = { cause: error, ...(error.hint ? { hint: error.hint } : {}) };
  if (error.exitCode === ExitCode.Temporary) return new TransientError(message, options);
  if (error.exitCode === ExitCode.Usage) return new UsageError(message, options);
  return new PermanentError(message, options);
}
