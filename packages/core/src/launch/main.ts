import { Config } from '@oclif/core/config';
import { flush } from '@oclif/core/flush';
import { run } from '@oclif/core/run';
import { wantsJson } from './cliArgs.js';
import { type UnknownCommand, unknownCommand } from './unknownCommand.js';

/**
 * A CLI bundle's entry (tools/bundler): oclif's `run`, with what oclif's own `execute` leaves
 * outside the Tempered conventions. An unknown command is a usage error (exit 2) naming the
 * closest command, reported like every other error (a JSON log line without a TTY, the error
 * document with `--json`); only at a terminal does @oclif/plugin-not-found get to ask "did you
 * mean". Errors raised outside a command (a plugin's command, the help of an unknown command,
 * a broken install) are reported the same way, not by oclif's handler.
 *
 * The logger and the error formatting load only when something fails: start-up stays oclif's.
 */
export async function main(dir: string, argv: readonly string[] = process.argv.slice(2)): Promise<void> {
  const args = [...argv];
  let config: Config | undefined;
  let unknown: UnknownCommand | undefined;
  try {
    config = await Config.load(dir);
    unknown = unknownCommand(config, args);
    if (unknown && !(interactive() && !wantsJson(args))) throw unknown.error;
    await run(args, config);
  } catch (error) {
    // declined at the prompt: plugin-not-found's error names no command (and exits 127)
    const reported = unknown && oclifExit(error) === 127 ? unknown.error : error;
    if (isExitError(reported)) process.exitCode = oclifExit(reported) ?? 1;
    else {
      const { reportError } = await import('./reportError.js');
      reportError(reported, { argv: args, cli: config?.bin });
    }
  } finally {
    await flush().catch(() => undefined);
  }
}

/** Someone is at a terminal who can answer a prompt and read a human line. */
function interactive(): boolean {
  return process.stdin.isTTY === true && process.stdout.isTTY === true && process.stderr.isTTY === true;
}

function oclifExit(error: unknown): number | undefined {
  const exit = (error as { oclif?: { exit?: unknown } } | undefined)?.oclif?.exit;
  return typeof exit === 'number' ? exit : undefined;
}

/** oclif's `this.exit(n)`: an exit code, nothing to print. */
function isExitError(error: unknown): boolean {
  return (error as { code?: unknown } | undefined)?.code === 'EEXIT';
}
