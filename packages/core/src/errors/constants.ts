/** The one exit-code table of every Tempered CLI (README, DESIGN.md). */
export const ExitCode = {
  Success: 0,
  Failure: 1,
  Usage: 2,
  Partial: 3,
  Temporary: 75,
  Interrupted: 130,
  Terminated: 143,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];
