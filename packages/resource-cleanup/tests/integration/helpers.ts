/**
 * Shared helpers of resource-cleanup's integration tests (after deploy's): every test runs the BUILT CLI
 * (`bin/run.js` -> `dist/`) as a real child process, never a TTY, in a temp workspace of its own
 * with a clean environment, and synchronises on the CLI's own JSON log lines, never on sleeps.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { lstat, mkdir, mkdtemp, readdir, readFile, readlink, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { onTestFinished } from 'vitest';

export const CLI_NAME = 'resource-cleanup';
export const CLI_BIN = fileURLToPath(new URL('../../bin/run.js', import.meta.url));

const BUILT = [
  fileURLToPath(new URL('../../dist/commands/run.js', import.meta.url)),
  fileURLToPath(new URL('../../../../packages/core/dist/index.js', import.meta.url)),
];
for (const file of BUILT) {
  if (!existsSync(file)) {
    throw new Error(
      `${file} is missing: these tests run the built CLI; build first (npx tsc -b packages/core && npx tsc -b packages/resource-cleanup)`,
    );
  }
}

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

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** stderr as JSON lines; throws, naming the line, when one is not JSON. */
  readonly logs: LogLine[];
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

export function messages(result: Pick<CliResult, 'logs'>): string[] {
  return result.logs.map((line) => line.msg);
}

export type LogMatch = string | ((line: LogLine) => boolean);

function matches(line: LogLine, match: LogMatch): boolean {
  return typeof match === 'string' ? line.msg === match : match(line);
}

interface Waiter {
  match: LogMatch;
  resolve: (line: LogLine) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

/** A running CLI process whose stderr log lines can be awaited one by one. */
export class CliProcess {
  readonly child: ChildProcess;
  readonly done: Promise<CliResult>;
  stdout = '';
  stderr = '';
  readonly #lines: LogLine[] = [];
  #partial = '';
  #waiters: Waiter[] = [];
  #exited = false;

  constructor(args: string[], options: { cwd: string; env: NodeJS.ProcessEnv }) {
    this.child = spawn(process.execPath, [CLI_BIN, ...args], {
      cwd: options.cwd,
      env: options.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      this.stdout += chunk;
    });
    this.child.stderr?.setEncoding('utf8').on('data', (chunk: string) => this.#onStderr(chunk));
    this.done = new Promise((resolve, reject) => {
      this.child.on('error', reject);
      this.child.on('close', (code, signal) => {
        this.#exited = true;
        for (const waiter of this.#waiters.splice(0)) {
          clearTimeout(waiter.timer);
          waiter.reject(
            new Error(`CLI exited (${code ?? signal}) before the awaited log line\n${this.stderr}`),
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
    if (this.child.pid === undefined) throw new Error('the CLI process did not start');
    return this.child.pid;
  }

  /** Log lines received so far (non-JSON lines are skipped here; `logs` of the result is strict). */
  get lines(): readonly LogLine[] {
    return this.#lines;
  }

  /** Resolves with the first log line (already received or still to come) matching `match`. */
  waitForLog(match: LogMatch, timeoutMs = 20_000): Promise<LogLine> {
    const seen = this.#lines.find((line) => matches(line, match));
    if (seen) return Promise.resolve(seen);
    if (this.#exited)
      return Promise.reject(new Error(`CLI already exited without the log line\n${this.stderr}`));
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
        if (!matches(line, waiter.match)) continue;
        clearTimeout(waiter.timer);
        this.#waiters = this.#waiters.filter((w) => w !== waiter);
        waiter.resolve(line);
      }
    }
  }
}

export interface RunOptions {
  /** Extra environment variables for this run, on top of the workspace's clean set. */
  env?: Record<string, string>;
  cwd?: string;
}

/**
 * A temp directory of one test: HOME, XDG_STATE_HOME and XDG_CONFIG_HOME point inside it, the
 * CLI runs with it as its working directory, and it is removed (after any CLI still running is
 * killed) when the test finishes.
 */
export class Workspace {
  readonly processes: CliProcess[] = [];

  private constructor(readonly root: string) {}

  static async create(): Promise<Workspace> {
    const root = await mkdtemp(join(tmpdir(), 'resource-cleanup-it-'));
    const ws = new Workspace(root);
    await mkdir(ws.home, { recursive: true });
    onTestFinished(() => ws.cleanup());
    return ws;
  }

  get home(): string {
    return join(this.root, 'home');
  }

  /** XDG_STATE_HOME; the CLI creates it on its first write. */
  get stateHome(): string {
    return join(this.root, 'state');
  }

  /** `$XDG_STATE_HOME/tempered/resource-cleanup/<environment>`. */
  stateDir(environment = 'default'): string {
    return join(this.stateHome, 'tempered', CLI_NAME, environment);
  }

  path(...parts: string[]): string {
    return join(this.root, ...parts);
  }

  /**
   * Only what the CLI needs: nothing leaks from the parent (no TEMPERED_*, NODE_OPTIONS, CI,
   * FORCE_COLOR...), so a developer's shell cannot change what a test sees.
   */
  env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
    return {
      PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
      HOME: this.home,
      XDG_STATE_HOME: this.stateHome,
      XDG_CONFIG_HOME: join(this.root, 'config-home'),
      LANG: 'C.UTF-8',
      TZ: 'UTC',
      ...extra,
    };
  }

  /** Writes a config file (JSON, a valid Tempered config format) and returns its path. */
  async writeConfig(name: string, config: unknown): Promise<string> {
    return this.writeFile(name, `${JSON.stringify(config, null, 2)}\n`);
  }

  async writeFile(name: string, content: string): Promise<string> {
    const path = this.path(name);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, content);
    return path;
  }

  start(args: string[], options: RunOptions = {}): CliProcess {
    const child = new CliProcess(args, { cwd: options.cwd ?? this.root, env: this.env(options.env) });
    this.processes.push(child);
    return child;
  }

  run(args: string[], options: RunOptions = {}): Promise<CliResult> {
    return this.start(args, options).done;
  }

  /** Run records of one environment, oldest first. */
  async runRecords(environment = 'default'): Promise<Record<string, unknown>[]> {
    const dir = join(this.stateDir(environment), 'runs');
    const names = (await readdir(dir)).filter((name) => name.endsWith('.json')).sort();
    return Promise.all(names.map(async (name) => JSON.parse(await readFile(join(dir, name), 'utf8'))));
  }

  async cleanup(): Promise<void> {
    for (const cli of this.processes) {
      if (cli.child.exitCode === null && cli.child.signalCode === null) {
        cli.child.kill('SIGKILL');
        await cli.done.catch(() => undefined);
      }
    }
    await rm(this.root, { recursive: true, force: true });
  }
}

export function workspace(): Promise<Workspace> {
  return Workspace.create();
}

/**
 * Every entry under `root` (not root itself) as `path type detail` lines, sorted, symlinks not
 * followed: a before/after snapshot proves a refused run changed nothing. [] when root is missing.
 */
export async function snapshot(root: string, rel = ''): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(join(root, rel));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const out: string[] = [];
  for (const name of names.sort()) {
    const path = rel === '' ? name : `${rel}/${name}`;
    const info = await lstat(join(root, path));
    if (info.isSymbolicLink()) out.push(`${path} -> ${await readlink(join(root, path))}`);
    else if (info.isDirectory()) out.push(`${path}/`, ...(await snapshot(root, path)));
    else out.push(`${path} ${info.size}B ${info.mtimeMs}`);
  }
  return out;
}
