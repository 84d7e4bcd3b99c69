/** Reading what a Tempered CLI writes to stderr when it is not a TTY: pino-format JSON lines. */

/** Any ANSI escape sequence (colour, cursor movement): never allowed without a TTY. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching the escape character is the point
export const ANSI = /\u001b\[/;

/** One pino-format JSON log line as the CLI writes it to stderr. */
export interface LogLine {
  level: number;
  time: number;
  msg: string;
  [key: string]: unknown;
}

/** A log line's exact `msg`, or a predicate over the whole line. */
export type LogMatch = string | ((line: LogLine) => boolean);

export function matchesLog(line: LogLine, match: LogMatch): boolean {
  return typeof match === 'string' ? line.msg === match : match(line);
}

/** Parses every line of `text` as JSON; a line that is not JSON fails the test with the line. */
export function parseLogLines(text: string): LogLine[] {
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      try {
        return JSON.parse(line) as LogLine;
      } catch {
        throw new Error(`stderr line is not JSON: ${JSON.stringify(line)}`);
      }
    });
}

/** The `msg` of every log line of a result, in order. */
export function messages(result: { readonly logs: LogLine[] }): string[] {
  return result.logs.map((line) => line.msg);
}
