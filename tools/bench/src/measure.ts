import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Command {
  label: string;
  argv: string[];
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Untimed set-up before every run (e.g. empty the destination for a first-copy benchmark). */
  before?: () => void;
  /** Untimed check after every successful run: throw when the command's result is wrong. */
  after?: () => void;
}

export interface Sample {
  ms: number;
  rssKiB?: number;
}

const GNU_TIME = '/usr/bin/time';
const scratch = mkdtempSync(join(tmpdir(), 'tempered-bench-'));
process.on('exit', () => rmSync(scratch, { recursive: true, force: true }));

/**
 * One whole process, timed from spawn to exit; peak RSS from GNU time when it is installed
 * (both sides of a pair pay the same wrapper cost). A failing command fails the benchmark:
 * a fast wrong answer is not a result.
 */
export function runOnce(command: Command): Sample {
  command.before?.();
  const rssFile = join(scratch, 'rss');
  const withTime = existsSync(GNU_TIME);
  const [file, ...args] = withTime ? [GNU_TIME, '-f', '%M', '-o', rssFile, ...command.argv] : command.argv;
  const started = process.hrtime.bigint();
  const result = spawnSync(file!, args, {
    cwd: command.cwd,
    env: command.env ?? process.env,
    stdio: ['ignore', 'ignore', 'pipe'],
    maxBuffer: 64 * 1024 * 1024,
  });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (result.status !== 0) {
    const stderr = result.stderr?.toString().trim().split('\n').slice(-3).join(' | ');
    throw new Error(`${command.label} exited ${result.status ?? result.signal}: ${stderr}`);
  }
  command.after?.();
  const rss = withTime ? Number(readFileSync(rssFile, 'utf8').trim().split('\n').pop()) : Number.NaN;
  return Number.isFinite(rss) ? { ms, rssKiB: rss } : { ms };
}
