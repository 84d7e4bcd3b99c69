import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const PACKAGE = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const FIXTURES = join(PACKAGE, 'tests', 'fixtures', 'state');
const DEFAULT_TIMEOUT_MS = 15_000;

/**
 * Fixtures import the built modules, so a stale dist would test old code. The build is the
 * runner's job (turbo runs it before test); this only refuses to run against an old one.
 */
export function assertBuilt(): void {
  for (const module of ['state', 'fs']) {
    const srcDir = join(PACKAGE, 'src', module);
    for (const name of readdirSync(srcDir).filter((n) => n.endsWith('.ts'))) {
      const built = join(PACKAGE, 'dist', module, name.replace(/\.ts$/, '.js'));
      let stale: boolean;
      try {
        stale = statSync(built).mtimeMs < statSync(join(srcDir, name)).mtimeMs;
      } catch {
        stale = true;
      }
      if (stale)
        throw new Error(
          `dist/${module}/${name} is missing or stale: run \`npx tsc -b\` in packages/core first`,
        );
    }
  }
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A fixture process whose stdout lines can be awaited, so tests synchronise on events, not sleeps. */
export class Fixture {
  readonly process: ChildProcess;
  readonly exited: Promise<Exit>;
  readonly #lines: string[] = [];
  #cursor = 0;
  #stderr = '';
  #exit: Exit | undefined;
  #wake: (() => void) | undefined;

  constructor(name: string, args: string[]) {
    this.process = spawn(process.execPath, [join(FIXTURES, name), ...args], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let partial = '';
    this.process.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      const parts = (partial + chunk).split('\n');
      partial = parts.pop() ?? '';
      this.#lines.push(...parts);
      this.#wake?.();
    });
    this.process.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      this.#stderr += chunk;
    });
    this.exited = new Promise((done) => {
      this.process.on('close', (code, signal) => {
        this.#exit = { code, signal };
        this.#wake?.();
        done(this.#exit);
      });
    });
  }

  get pid(): number {
    return this.process.pid ?? -1;
  }

  get stderr(): string {
    return this.#stderr;
  }

  /** Resolves with the next line (after those already consumed) that matches; earlier lines are skipped. */
  async waitFor(match: RegExp | string, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<string> {
    const test = (line: string) => (typeof match === 'string' ? line === match : match.test(line));
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      while (this.#cursor < this.#lines.length) {
        const line = this.#lines[this.#cursor++] ?? '';
        if (test(line)) return line;
      }
      if (this.#exit)
        throw new Error(`fixture exited (${JSON.stringify(this.#exit)}) before ${match}: ${this.#stderr}`);
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw new Error(`timed out waiting for ${match}; stderr: ${this.#stderr}`);
      await new Promise<void>((wake) => {
        const timer = setTimeout(wake, remaining);
        this.#wake = () => {
          clearTimeout(timer);
          wake();
        };
      });
      this.#wake = undefined;
    }
  }

  /** Parses the next JSON line with the given `event`. */
  async event<T = Record<string, unknown>>(event: string, timeoutMs?: number): Promise<T> {
    const line = await this.waitFor(new RegExp(`^\\{"event":"${event}"`), timeoutMs);
    return JSON.parse(line) as T;
  }

  send(line: string): void {
    this.process.stdin?.write(`${line}\n`);
  }

  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<Exit> {
    if (!this.#exit) this.process.kill(signal);
    return this.exited;
  }
}

export function startFixture(name: string, ...args: string[]): Fixture {
  return new Fixture(name, args);
}
