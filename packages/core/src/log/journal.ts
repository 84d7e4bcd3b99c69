import { fstatSync } from 'node:fs';

/**
 * systemd's journal, when it is what stderr writes to: systemd sets JOURNAL_STREAM to the
 * `device:inode` of the stream it connected, and a child that inherited another stderr must not
 * take the variable for its own. A line that starts with `<N>` is then logged at syslog priority
 * N, so `journalctl -p err` finds our errors.
 */
export function stderrIsJournal(env: NodeJS.ProcessEnv = process.env, fd = 2): boolean {
  const stream = env.JOURNAL_STREAM;
  if (!stream) return false;
  try {
    const { dev, ino } = fstatSync(fd);
    return stream === `${dev}:${ino}`;
  } catch {
    return false;
  }
}

/** pino's level number as a syslog priority: fatal crit(2), error err(3), warn warning(4), info(6), debug and trace(7). */
export function syslogPriority(level: number): number {
  if (level >= 60) return 2;
  if (level >= 50) return 3;
  if (level >= 40) return 4;
  if (level >= 30) return 6;
  return 7;
}

const LEVEL = /"level":(\d+)/;

/** The line with its journal priority prefix (`<3>{"level":50,...}`). */
export function withPriority(line: string): string {
  const level = LEVEL.exec(line.slice(0, 40));
  return `<${syslogPriority(level ? Number(level[1]) : 30)}>${line}`;
}
