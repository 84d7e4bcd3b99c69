import { ExitCode, InternalError, TemperedError, UsageError } from '../errors/index.js';
import { secrets } from '../log/index.js';
import { parseErrorMessage } from './parseErrorMessage.js';

export interface ErrorJson {
  name: string;
  code: string;
  exitCode: number;
  message: string;
  hint?: string;
}

/**
 * Everything thrown out of a command becomes a TemperedError: our own pass through, oclif's
 * parse errors are usage errors (exit 2) in one line that keeps their reason, anything else is
 * a bug (exit 1) and says so.
 */
export function normalizeError(error: unknown): TemperedError {
  if (error instanceof TemperedError) return error;
  // an abortable wait (timers/promises, fetch, events.once) rejects with a generic AbortError
  // whose cause is the abort reason: our InterruptedError (exit 130/143), not a bug
  if (error instanceof Error && error.name === 'AbortError' && error.cause instanceof TemperedError) {
    return error.cause;
  }
  const oclif = (error as { oclif?: { exit?: number } } | undefined)?.oclif;
  if (error instanceof Error && oclif && typeof oclif.exit === 'number') {
    const message = withoutErrorPrefix(parseErrorMessage(error.message));
    return oclif.exit === ExitCode.Usage || oclif.exit === ExitCode.Failure
      ? new UsageError(message, { hint: 'see --help', cause: error })
      : new UsageError(message, { cause: error });
  }
  const message = withoutErrorPrefix(error instanceof Error ? error.message : String(error));
  return new InternalError(`unexpected error: ${message}`, {
    hint: 're-run with --log-level debug for the stack trace',
    cause: error,
  });
}

export function errorToJson(error: TemperedError): ErrorJson {
  return {
    name: error.name,
    code: error.code,
    exitCode: error.exitCode,
    message: secrets.redactString(withoutErrorPrefix(error.message)),
    ...(error.hint ? { hint: secrets.redactString(error.hint) } : {}),
  };
}

/**
 * One line for a person: what went wrong, then what to do about it. No "Error:" in front: the
 * line is logged at error level, which a human line shows as ERROR and a JSON line as level 50.
 */
export function errorLine(error: TemperedError): string {
  const { message, hint } = errorToJson(error);
  return `${message}${hint ? ` (hint: ${hint})` : ''}`;
}

/**
 * "Error: x" (oclif's errors, a foreign error turned into a string, a message that quotes one)
 * says "Error" again next to the level: keep x.
 */
export function withoutErrorPrefix(message: string): string {
  return message.replace(/^(?:\s*Error: )+/, '');
}
