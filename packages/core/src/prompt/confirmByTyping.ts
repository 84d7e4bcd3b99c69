import { createInterface } from 'node:readline/promises';
import { UsageError } from '../errors/index.js';

/** A refusal: one line and what to do next (exit 2). */
export interface ConfirmRefusal {
  message: string;
  hint: string;
}

export interface ConfirmByTypingOptions {
  /** What the person must type, exactly (surrounding blanks ignored). */
  expected: string;
  /** Asked on one line, ending in ': '. */
  question: string;
  /** Shown above the question, e.g. what would change. */
  preamble?: string | undefined;
  /** Thrown when nobody can be asked: stdin or stderr is not a terminal. */
  noTerminal: ConfirmRefusal;
  /** Thrown when the answer is anything else. */
  mismatch: ConfirmRefusal;
  interactive?: boolean | undefined;
  input?: NodeJS.ReadableStream | undefined;
  output?: NodeJS.WritableStream | undefined;
}

/**
 * The one confirmation prompt: a person at a terminal types a word (an environment's name,
 * "yes") before a change. Questions go to stderr, so stdout stays the command's result. Without
 * a TTY (cron, CI) there is nobody to ask: it refuses at once (UsageError, exit 2), never waits.
 */
export async function confirmByTyping(options: ConfirmByTypingOptions): Promise<void> {
  const interactive = options.interactive ?? isInteractive();
  if (!interactive) throw new UsageError(options.noTerminal.message, { hint: options.noTerminal.hint });
  const output = options.output ?? process.stderr;
  if (options.preamble) output.write(`${options.preamble}\n`);
  const rl = createInterface({ input: options.input ?? process.stdin, output });
  try {
    const answer = await rl.question(options.question);
    if (answer.trim() !== options.expected) {
      throw new UsageError(options.mismatch.message, { hint: options.mismatch.hint });
    }
  } finally {
    rl.close();
  }
}

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
  await confirmByTyping({
    expected: options.environment,
    question: `Environment "${options.environment}" is protected. Type its name to continue: `,
    noTerminal: {
      message: `environment "${options.environment}" is protected and nothing confirmed the change`,
      hint: 'pass --yes to confirm, or run at a terminal and type the environment name',
    },
    mismatch: {
      message: `confirmation did not match "${options.environment}"; nothing was changed`,
      hint: 'type the environment name exactly, or pass --yes',
    },
    interactive: options.interactive,
    input: options.input,
    output: options.output,
  });
}

/** A person can be asked: stdin and stderr (where questions go) are both terminals. */
export function isInteractive(): boolean {
  return process.stdin.isTTY === true && process.stderr.isTTY === true;
}
