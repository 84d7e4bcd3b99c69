import { createInterface } from 'node:readline/promises';
import { UsageError } from '../errors/index.js';

export interface ConfirmOptions {
  environment: string;
  yes: boolean;
  interactive?: boolean;
  input?: NodeJS.ReadableStream;
  output?: NodeJS.WritableStream;
}

/**
 * A protected environment changes only with `--yes`, or when a person at a terminal types its
 * name. Without a TTY (cron, CI) there is nobody to ask, so the run stops before any change.
 */
export async function confirmProtected(options: ConfirmOptions): Promise<void> {
  if (options.yes) return;
  const interactive = options.interactive ?? isInteractive();
  if (!interactive) {
    throw new UsageError(
      `environment "${options.environment}" is protected and nothing confirmed the change`,
      {
        hint: 'pass --yes to confirm, or run at a terminal and type the environment name',
      },
    );
  }
  const rl = createInterface({
    input: options.input ?? process.stdin,
    output: options.output ?? process.stderr,
  });
  try {
    const answer = await rl.question(
      `Environment "${options.environment}" is protected. Type its name to continue: `,
    );
    if (answer.trim() !== options.environment) {
      throw new UsageError(`confirmation did not match "${options.environment}"; nothing was changed`, {
        hint: 'type the environment name exactly, or pass --yes',
      });
    }
  } finally {
    rl.close();
  }
}

/** A person can be asked: stdin and stderr (where questions go) are both terminals. */
export function isInteractive(): boolean {
  return process.stdin.isTTY === true && process.stderr.isTTY === true;
}
