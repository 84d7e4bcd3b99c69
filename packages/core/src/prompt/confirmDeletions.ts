import { confirmByTyping } from './confirmByTyping.js';

export interface ConfirmDeletionsOptions {
  environment: string;
  /** Deletions the plan holds. */
  count: number;
  yes: boolean;
  /** Shown above the question at a terminal: what would be deleted. */
  plan?: string | undefined;
  interactive?: boolean;
  input?: NodeJS.ReadableStream;
  output?: NodeJS.WritableStream;
}

/**
 * Deleting needs `--yes`, or a person at a terminal typing the environment's name, in every
 * environment. Without a TTY (cron, CI) and without `--yes`, nothing is deleted: exit 2.
 * Resolves true when a person typed the name (which also confirms a protected environment).
 */
export async function confirmDeletions(options: ConfirmDeletionsOptions): Promise<boolean> {
  if (options.yes || options.count === 0) return false;
  const what = `${options.count} resource${options.count === 1 ? '' : 's'}`;
  await confirmByTyping({
    expected: options.environment,
    question: `Delete ${what} in environment "${options.environment}"? Type its name to confirm: `,
    preamble: options.plan,
    noTerminal: {
      message: `refusing to delete ${what} without --yes`,
      hint: 'review the plan (--dry-run or the plan command), then pass --yes; or run at a terminal and type the environment name',
    },
    mismatch: {
      message: `confirmation did not match "${options.environment}"; nothing was deleted`,
      hint: 'type the environment name exactly, or pass --yes',
    },
    interactive: options.interactive,
    input: options.input,
    output: options.output,
  });
  return true;
}
