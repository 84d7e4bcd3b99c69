import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger, type Logger } from '../../../src/log/index.js';

export interface CapturedLog {
  logger: Logger;
  lines: Record<string, unknown>[];
  messages(): string[];
  /** Resolves once a line with this message has been logged: a signal to wait on, not a sleep. */
  waitFor(msg: string): Promise<void>;
}

/** A real logger whose JSON lines land in an array. */
export function captureLog(): CapturedLog {
  const lines: Record<string, unknown>[] = [];
  const waiters: { msg: string; done: () => void }[] = [];
  const { logger } = createLogger({
    level: 'debug',
    human: false,
    destination: {
      write: (line: string) => {
        const record = JSON.parse(line) as Record<string, unknown>;
        lines.push(record);
        for (const waiter of waiters.filter((w) => w.msg === record.msg)) waiter.done();
      },
    },
  });
  const messages = () => lines.map((line) => String(line.msg));
  const waitFor = (msg: string) =>
    messages().includes(msg) ? Promise.resolve() : new Promise<void>((done) => waiters.push({ msg, done }));
  return { logger, lines, messages, waitFor };
}

/** The pid of a process that has already exited (and been reaped). */
export function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', '']);
  if (child.pid === undefined) throw new Error('could not spawn node');
  return child.pid;
}

export async function withTempDir(prefix: string): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), `tempered-${prefix}-`));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** A clock tests move by hand instead of sleeping. */
export function manualClock(start = Date.parse('2025-01-01T00:00:00.000Z')) {
  let now = start;
  return {
    now: () => now,
    advance: (ms: number) => {
      now += ms;
    },
  };
}
