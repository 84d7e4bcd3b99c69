import { randomUUID } from 'node:crypto';
import { ConfigEnv, DEFAULT_ENVIRONMENT } from '../config/constants.js';
import { isPlainObject } from '../config/deepMerge.js';
import { findConfigFile } from '../config/findConfigFile.js';
import { interpolateString } from '../config/interpolate.js';
import { readConfigFile } from '../config/readConfigFile.js';
import { registerSecretEnv } from '../config/registerSecretEnv.js';
import { ExitCode } from '../errors/index.js';
import type { Logger } from '../log/index.js';
import { sendHeartbeat } from '../metrics/index.js';

export interface EarlyPingOptions {
  /** The command line as given (after the command id). */
  argv: readonly string[];
  /** The flags, when parsing got that far. */
  flags?: Record<string, unknown> | undefined;
  exitCode: number;
  logger: Logger;
  /** The log's tail so far: the error line that ended the run. */
  body: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

/**
 * The failure ping of a run that failed before it could open its run (a bad flag, a bad config
 * value, an unknown environment, a state directory it cannot write): a broken crontab line
 * alerts at once instead of when the heartbeat goes missing. Best effort: the config is read
 * again only to find the ping URL, and nothing here throws.
 */
export async function sendEarlyPing(options: EarlyPingOptions): Promise<void> {
  const { exitCode } = options;
  if (exitCode === ExitCode.Success || exitCode === ExitCode.Interrupted || exitCode === ExitCode.Terminated)
    return;
  if (options.flags?.['dry-run'] === true || flagValue(options.argv, ['--dry-run']) !== undefined) return;
  try {
    const env = options.env ?? process.env;
    // the ping URL may come from a secret variable; mask it before a warning can name it
    await registerSecretEnv(env);
    const ping = await findPingUrl({ ...options, env });
    if (ping === undefined) return;
    const rid = randomUUID();
    await sendHeartbeat(ping, exitCode === ExitCode.Temporary ? 'log' : exitCode, {
      logger: options.logger,
      rid,
      body: options.body,
    });
  } catch (error) {
    options.logger.debug({ err: error }, 'no failure ping: the ping URL could not be read');
  }
}

/**
 * TEMPERED_PING, else `ping` of the selected environment, else the top-level `ping` of the config
 * file the run would have read (--config, TEMPERED_CONFIG, the default locations). Only that one
 * value is interpolated and checked: the rest of the file may be what made the run fail.
 */
export async function findPingUrl(options: {
  argv: readonly string[];
  flags?: Record<string, unknown> | undefined;
  env: NodeJS.ProcessEnv;
  cwd?: string;
}): Promise<string | undefined> {
  const { env, flags, argv } = options;
  const fromEnv = env[ConfigEnv.ping];
  if (fromEnv) return httpUrl(fromEnv);
  const configFlag = stringFlag(flags?.config) ?? flagValue(argv, ['--config']);
  const found = await findConfigFile({ path: configFlag, env, cwd: options.cwd ?? process.cwd() });
  if (found.path === undefined) return undefined;
  const file = found.path;
  const data = await readConfigFile(file);
  if (!isPlainObject(data)) return undefined;
  const ctx = { env, file };
  const requested =
    stringFlag(flags?.environment) ?? flagValue(argv, ['--environment', '-e']) ?? env[ConfigEnv.environment];
  const configured = data.defaultEnvironment;
  const name =
    requested ??
    (typeof configured === 'string'
      ? interpolateString(configured, ctx, ['defaultEnvironment'])
      : DEFAULT_ENVIRONMENT);
  const environments = isPlainObject(data.environments) ? data.environments : {};
  const own = Object.hasOwn(environments, name) ? environments[name] : undefined;
  const envPing = isPlainObject(own) ? own.ping : undefined;
  const [value, path] =
    typeof envPing === 'string' ? [envPing, ['environments', name, 'ping']] : [data.ping, ['ping']];
  if (typeof value !== 'string') return undefined;
  return httpUrl(interpolateString(value, ctx, path));
}

function httpUrl(value: string): string | undefined {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:' ? value : undefined;
  } catch {
    return undefined;
  }
}

function stringFlag(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/**
 * A flag's value read straight from the command line, for when oclif's parse failed:
 * `--name value`, `--name=value`, `-e value`, `-evalue`; an empty string for a flag without one.
 * Nothing after `--` is a flag.
 */
export function flagValue(argv: readonly string[], names: readonly string[]): string | undefined {
  let found: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--') break;
    for (const name of names) {
      if (arg === name) {
        const next = argv[i + 1];
        found = next === undefined || next.startsWith('-') ? '' : next;
      } else if (arg.startsWith(`${name}=`)) {
        found = arg.slice(name.length + 1);
      } else if (!name.startsWith('--') && arg.startsWith(name) && arg.length > name.length) {
        found = arg.slice(name.length);
      }
    }
  }
  return found;
}
