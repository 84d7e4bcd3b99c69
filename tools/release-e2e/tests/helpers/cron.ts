/**
 * Runs the globally installed CLIs the way cron does: `env -i HOME=<home>
 * PATH=<prefix>/bin:<node dir>:/usr/bin:/bin`, stdin from /dev/null, stdout and stderr pipes (never a TTY).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { ANSI, type LogLine, parseLogLines } from '@tempered/testkit';

// shared with the other CLI tests; re-exported for this suite's files
export type { LogLine };
export { ANSI, parseLogLines };

/** What an interactive question looks like: none may appear without a TTY. */
export const PROMPT = /\(y\/n\)|\[y\/N\]|type .+ to confirm|\? .+›/i;

export interface CronResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  durationMs: number;
  /** stderr as JSON lines; throws, naming the line, when one is not JSON. */
  readonly logs: LogLine[];
}

/**
 * The crontab's PATH (examples/cron): the install prefix, node's own directory (the
 * /usr/local/bin of a machine whose system node is older than the floor), then the system's.
 */
export function cronPath(prefix: string): string {
  const nodeDir = dirname(process.execPath);
  const system = ['/usr/bin', '/bin'].filter((dir) => dir !== nodeDir);
  return [join(prefix, 'bin'), nodeDir, ...system].join(':');
}

/** A CLI process started in the cron environment; its JSON log lines can be awaited. */
export class CronProcess {
  readonly child: ChildProcess;
  readonly done: Promise<CronResult>;
  stdout = '';
  stderr = '';
  readonly #started = Date.now();
  #waiters: { msg: string; resolve: (line: LogLine) => void; reject: (error: Error) => void }[] = [];
  #scanned = 0;

  constructor(
    bin: string,
    args: string[],
    options: { prefix: string; home: string; cwd?: string; timeoutMs?: number },
  ) {
    this.child = spawn(join(options.prefix, 'bin', bin), args, {
      cwd: options.cwd ?? options.home,
      env: { HOME: options.home, PATH: cronPath(options.prefix) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      this.stdout += chunk;
    });
    this.child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      this.stderr += chunk;
      this.#scan();
    });
    const timer = setTimeout(() => this.child.kill('SIGKILL'), options.timeoutMs ?? 120_000);
    this.done = new Promise((resolve) => {
      // a spawn failure (no such file) is reported by 'close' too: keep its message with the output
      this.child.once('error', (error) => {
        this.stderr += `spawn failed: ${error.message}\n`;
      });
      this.child.once('close', (code, signal) => {
        clearTimeout(timer);
        for (const waiter of this.#waiters.splice(0)) {
          waiter.reject(
            new Error(`${bin} exited (${code ?? signal}) before logging "${waiter.msg}"\n${this.stderr}`),
          );
        }
        const { stdout, stderr } = this;
        resolve({
          code,
          signal,
          stdout,
          stderr,
          durationMs: Date.now() - this.#started,
          get logs() {
            return parseLogLines(stderr);
          },
        });
      });
    });
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Resolves with the first JSON log line whose `msg` is `msg` (bounded by the process's own timeout). */
  waitForLog(msg: string): Promise<LogLine> {
    const seen = this.#complete().find((line) => line.msg === msg);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      this.#waiters.push({ msg, resolve, reject });
    });
  }

  kill(): void {
    if (this.running) this.child.kill('SIGKILL');
  }

  #complete(): LogLine[] {
    const lines = this.stderr.split('\n');
    lines.pop(); // the partial last line
    return lines.filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as LogLine);
  }

  #scan(): void {
    const lines = this.#complete();
    for (const line of lines.slice(this.#scanned)) {
      for (const waiter of [...this.#waiters]) {
        if (line.msg === waiter.msg) {
          this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
          waiter.resolve(line);
        }
      }
    }
    this.#scanned = lines.length;
  }
}

/** Runs one command to its end in the cron environment. */
export function cron(
  bin: string,
  args: string[],
  options: { prefix: string; home: string; cwd?: string; timeoutMs?: number },
): Promise<CronResult> {
  return new CronProcess(bin, args, options).done;
}
