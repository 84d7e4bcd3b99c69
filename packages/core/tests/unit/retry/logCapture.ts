import { createLogger, type Logger, type LogLevelName } from '../../../src/log/index.js';

export interface CapturedLogs {
  logger: Logger;
  /** Raw JSON lines as pino wrote them. */
  lines: string[];
  records(): Array<Record<string, unknown>>;
  text(): string;
}

/** A real pino logger (ours, with redaction) writing JSON lines into memory. */
export function captureLogs(level: LogLevelName = 'debug'): CapturedLogs {
  const lines: string[] = [];
  const { logger } = createLogger({
    level,
    human: false,
    destination: {
      write: (line: string) => {
        lines.push(line);
      },
    },
  });
  return {
    logger,
    lines,
    records: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>),
    text: () => lines.join(''),
  };
}
