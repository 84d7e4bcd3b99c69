import { errorLine, errorToJson, normalizeError } from '../command/normalizeError.js';
import { createLogger } from '../log/index.js';
import { requestedLogLevel, wantsJson } from './cliArgs.js';

/**
 * An error no command caught, reported as a command reports its own (TemperedCommand.catch):
 * one log line on stderr (JSON without a TTY, human at one; the stack only at debug level), the
 * error document on stdout under `--json`, and the exit code of the error table.
 */
export function reportError(
  error: unknown,
  options: { argv: readonly string[]; cli: string | undefined },
): void {
  const normalized = normalizeError(error);
  process.exitCode = normalized.exitCode;
  const { logger, close } = createLogger({
    level: requestedLogLevel(options.argv),
    bindings: { cli: options.cli },
  });
  try {
    logger.error(
      {
        code: normalized.code,
        exit_code: normalized.exitCode,
        ...(logger.isLevelEnabled('debug') ? { err: error } : {}),
      },
      errorLine(normalized),
    );
  } finally {
    close();
  }
  if (wantsJson(options.argv))
    process.stdout.write(`${JSON.stringify({ status: 'error', error: errorToJson(normalized) }, null, 2)}\n`);
}
