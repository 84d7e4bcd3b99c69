import { spawn } from 'node:child_process';

export interface ExecOptions {
  cwd?: string;
  /** The child's whole environment (nothing inherited unless passed). Default: process.env. */
  env?: NodeJS.ProcessEnv;
  /** Killed (SIGKILL) after this long; default 5 minutes. */
  timeoutMs?: number;
}

export interface ExecResult {
  command: string;
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  durationMs: number;
  timedOut: boolean;
}

/**
 * Runs a command to completion with stdin from /dev/null and no TTY, as cron would; never throws
 * for a non-zero exit (see `execOk`).
 */
export function exec(command: string, args: string[], options: ExecOptions = {}): Promise<ExecResult> {
  const started = Date.now();
  const display = [command, ...args].join(' ');
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, options.timeoutMs ?? 300_000);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`${display}: ${error.message}`));
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ command: display, code, signal, stdout, stderr, durationMs: Date.now() - started, timedOut });
    });
  });
}

/** `exec`, failing with the command's output when it does not exit 0. */
export async function execOk(
  command: string,
  args: string[],
  options: ExecOptions = {},
): Promise<ExecResult> {
  const result = await exec(command, args, options);
  if (result.code !== 0) {
    throw new Error(
      `${result.command} exited ${result.timedOut ? 'on timeout' : (result.code ?? result.signal)} in ${options.cwd ?? process.cwd()}\n` +
        `--- stdout\n${result.stdout.slice(-4000)}\n--- stderr\n${result.stderr.slice(-4000)}`,
    );
  }
  return result;
}

/**
 * The environment minus whatever npm, pnpm, turbo or a Tempered CLI would read as config (so a
 * test sees neither the developer's settings nor the outer `pnpm test`'s), plus `extra`.
 */
export function cleanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!/^(npm_|pnpm_|TEMPERED_|TURBO_|NODE_OPTIONS$|FORCE_COLOR$|NO_COLOR$)/i.test(key)) env[key] = value;
  }
  return {
    ...env,
    npm_config_update_notifier: 'false',
    npm_config_fund: 'false',
    npm_config_audit: 'false',
    ...extra,
  };
}
