import { constants } from 'node:fs';
import { access, readdir } from 'node:fs/promises';
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { PermanentError, UsageError } from '../errors/index.js';
import { describeFsError } from '../fs/describeFsError.js';
import { ensureDir } from './files.js';

const SEGMENT = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export interface StateRootOptions {
  /** `--state-dir`: replaces the default root. Relative paths resolve against the cwd. */
  root?: string | undefined;
  env?: NodeJS.ProcessEnv;
}

export interface StateDirOptions extends StateRootOptions {
  cli: string;
  environment: string;
}

/** Throws a UsageError unless `value` can be one directory name (no `/`, `..`, spaces or leading dot). */
function assertSafeSegment(value: string, what: string): void {
  if (!SEGMENT.test(value)) {
    throw new UsageError(
      `${what} ${JSON.stringify(value)} cannot name a state directory: use 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit`,
    );
  }
}

/** `--state-dir`, else `$XDG_STATE_HOME/tempered`, else `~/.local/state/tempered`. */
export function stateRootFor(options: StateRootOptions = {}): string {
  const env = options.env ?? process.env;
  if (options.root) return resolve(options.root);
  // the XDG spec says a relative XDG_STATE_HOME is invalid and must be ignored
  const xdg = env.XDG_STATE_HOME;
  if (xdg && isAbsolute(xdg)) return join(xdg, 'tempered');
  return join(env.HOME || homedir(), '.local', 'state', 'tempered');
}

/** `<root>/<cli>/<environment>`: one environment's runs, journals, idempotency records and locks. */
export function stateDirFor(options: StateDirOptions): string {
  assertSafeSegment(options.cli, 'CLI name');
  assertSafeSegment(options.environment, 'environment');
  return join(stateRootFor(options), options.cli, options.environment);
}

const UNUSABLE: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EROFS: 'a read-only filesystem',
  ENOTDIR: 'a part of it is not a directory',
  EEXIST: 'a part of it is not a directory',
  ENOSPC: 'no space left on the device',
};

/**
 * Creates the run's state directory (0700) and checks this user can write there, before the run
 * takes its lock: one line naming the directory and the setting to change, not an unexpected
 * error from the first state file (exit 1, as any permission problem).
 */
export async function ensureStateDir(dir: string): Promise<void> {
  try {
    await ensureDir(dir);
    await access(dir, constants.W_OK | constants.X_OK);
  } catch (error) {
    const reason = UNUSABLE[(error as NodeJS.ErrnoException).code ?? ''] ?? describeFsError(error);
    throw new PermanentError(`cannot use the state directory ${dir}: ${reason}`, {
      hint: 'point --state-dir (or TEMPERED_STATE_DIR, or stateDir in the config) at a directory this user can write',
      cause: error,
    });
  }
}

/** Environments with state under the root, sorted; for `stats` across environments. */
export async function listEnvironments(
  root: string | undefined,
  cli: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<string[]> {
  assertSafeSegment(cli, 'CLI name');
  try {
    const entries = await readdir(join(stateRootFor({ root, env }), cli), { withFileTypes: true });
    return entries
      .filter((entry) => entry.isDirectory() && SEGMENT.test(entry.name))
      .map((entry) => entry.name)
      .sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}
