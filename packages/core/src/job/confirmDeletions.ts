import { createInterface } from 'node:readline/promises';
import { isInteractive } from '../command/confirmProtected.js';
import { UsageError } from '../errors/index.js';

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
  const interactive = options.interactive ?? isInteractive();
  if (!interactive) {
    throw new UsageError(`refusing to delete ${what} without --yes`, {
      hint: 'review the plan (--dry-run or the plan command), then pass --yes; or run at a terminal and type the environment name',
    });
  }
  const output = options.output ?? process.stderr;
  if (options.plan) output.write(`${options.plan}\n`);
  const rl = createInterface({ input: options.input ?? process.stdin, output });
  try {
    const answer = await rl.question(
      `Delete ${what} in environment "${options.environment}"? Type its name to confirm: `,
    );
    if (answer.trim() !== options.environment) {
      throw new UsageError(`confirmation did not match "${options.environment}"; nothing was deleted`, {
        hint: 'type the environment name exactly, or pass --yes',
      });
    }
  } finally {
    rl.close();
  }
  return true;
}
