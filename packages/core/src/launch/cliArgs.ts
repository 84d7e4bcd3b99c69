import { LOG_LEVEL_NAMES, type LogLevelName } from '../log/constants.js';

/**
 * What a run's arguments say about how to report an error raised before any command parsed
 * them (an unknown command, a plugin's failure): only options that come before `--`.
 */
function options(argv: readonly string[]): readonly string[] {
  const end = argv.indexOf('--');
  return end === -1 ? argv : argv.slice(0, end);
}

/** `--json`: the error document goes to stdout. */
export function wantsJson(argv: readonly string[]): boolean {
  return options(argv).includes('--json');
}

/** `--log-level X` / `--log-level=X`, else TEMPERED_LOG_LEVEL, else info; an unknown name is info. */
export function requestedLogLevel(
  argv: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): LogLevelName {
  const args = options(argv);
  let value: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg === '--log-level') value = args[i + 1];
    else if (arg.startsWith('--log-level=')) value = arg.slice('--log-level='.length);
  }
  value ??= env.TEMPERED_LOG_LEVEL;
  return LOG_LEVEL_NAMES.includes(value as LogLevelName) ? (value as LogLevelName) : 'info';
}
