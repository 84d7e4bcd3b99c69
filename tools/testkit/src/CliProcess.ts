/**
 * A real child process (usually a built CLI's `bin/run.cjs` under this node), never a TTY: stdin
 * ignored, stdout and stderr piped and kept, stderr read as JSON log lines as they arrive so a test
 * synchronises on the CLI's own log lines, never on sleeps.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { closeWhenTestFinishes } from './closeWhenTestFinishes.js';
import { type LogLine, type LogMatch, matchesLog, parseLogLines } from './logLines.js';

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** stderr as JSON lines; throws, naming the line, when one is not JSON. */
  readonly logs: LogLine[];
}

export interface StartOptions {
  cwd?: string;
  /** The child's whole environment (nothing is inherited); default `cleanEnv()`. */
  env?: NodeJS.ProcessEnv;
}

/** How long `waitForLog` waits by default. */
export const WAIT_FOR_LOG_MS = 20_000;

/**
 * The least a process needs: nothing leaks from the parent (no TEMPERED_*, NODE_OPTIONS, CI,
 * FORCE_COLOR...), so a developer's shell cannot change what a test sees.
 */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
    LANG: 'C.UTF-8',
    TZ: 'UTC',
    ...extra,
  };
}

interface Waiter {
  match: LogMatch;
  resolve: (line: LogLine) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

/** A running process whose stderr log lines can be awaited one by one. */
export class CliProcess {
  readonly child: ChildProcess;
  /** Settles once the process has exited and its output is closed. */
  readonly exit: Promise<CliResult>;
  stdout = '';
  stderr = '';
  readonly #lines: LogLine[] = [];
  #partial = '';
  #waiters: Waiter[] = [];
  #exited = false;

  constructor(command: string, args: readonly string[], options: StartOptions = {}) {
    this.child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? cleanEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      this.stdout += chunk;
    });
    this.child.stderr?.setEncoding('utf8').on('data', (chunk: string) => this.#onStderr(chunk));
    this.exit = new Promise((resolve, reject) => {
      this.child.on('error', reject);
      this.child.on('close', (code, signal) => {
        this.#exited = true;
        for (const waiter of this.#waiters.splice(0)) {
          clearTimeout(waiter.timer);
          waiter.reject(
            new Error(`process exited (${code ?? signal}) before the awaited log line\n${this.stderr}`),
          );
        }
        const { stdout, stderr } = this;
        resolve({
          code,
          signal,
          stdout,
          stderr,
          get logs() {
            return parseLogLines(stderr);
          },
        });
      });
    });
  }

  get pid(): number {
    if (this.child.pid === undefined) throw new Error('the process did not start');
    return this.child.pid;
  }

  /** Still running: neither exited nor killed by a signal. */
  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Log lines received so far (non-JSON lines are skipped here; `logs` of the result is strict). */
  get lines(): readonly LogLine[] {
    return this.#lines;
  }

  /** Resolves with the first log line (already received or still to come) matching `match`. */
  waitForLog(match: LogMatch, timeoutMs = WAIT_FOR_LOG_MS): Promise<LogLine> {
    const seen = this.#lines.find((line) => matchesLog(line, match));
    if (seen) return Promise.resolve(seen);
    if (this.#exited)
      return Promise.reject(new Error(`process already exited without the log line\n${this.stderr}`));
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        match,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.#waiters = this.#waiters.filter((w) => w !== waiter);
          reject(new Error(`no such log line within ${timeoutMs} ms\n${this.stderr}`));
        }, timeoutMs),
      };
      this.#waiters.push(waiter);
    });
  }

  kill(signal: NodeJS.Signals): void {
    if (!this.child.kill(signal)) throw new Error(`could not send ${signal} to pid ${this.child.pid}`);
  }

  /** A leftover's end: SIGKILL when still running, then wait for it to exit. Never throws. */
  async stop(): Promise<void> {
    if (this.running) this.child.kill('SIGKILL');
    await this.exit.catch(() => undefined);
  }

  #onStderr(chunk: string): void {
    this.stderr += chunk;
    const text = this.#partial + chunk;
    const lines = text.split('\n');
    this.#partial = lines.pop() ?? '';
    for (const raw of lines) {
      let line: LogLine;
      try {
        line = JSON.parse(raw) as LogLine;
      } catch {
        continue;
      }
      this.#lines.push(line);
      for (const waiter of [...this.#waiters]) {
        if (!matchesLog(line, waiter.match)) continue;
        clearTimeout(waiter.timer);
        this.#waiters = this.#waiters.filter((w) => w !== waiter);
        waiter.resolve(line);
      }
    }
  }
}

/** Starts `bin` (a node script, e.g. a CLI's `bin/run.cjs`) under this node; SIGKILLed if still running when the test finishes. */
export function startCli(bin: string, args: readonly string[], options: StartOptions = {}): CliProcess {
  const cli = new CliProcess(process.execPath, [bin, ...args], options);
  closeWhenTestFinishes(() => cli.stop());
  return cli;
}

/** Runs `bin` under this node to its end. */
export function runCli(bin: string, args: readonly string[], options: StartOptions = {}): Promise<CliResult> {
  return startCli(bin, args, options).exit;
}

/** Runs any command (not a node script) to its end, the same way. */
export function runCommand(
  command: string,
  args: readonly string[],
  options: StartOptions = {},
): Promise<CliResult> {
  const child = new CliProcess(command, args, options);
  closeWhenTestFinishes(() => child.stop());
  return child.exit;
}
