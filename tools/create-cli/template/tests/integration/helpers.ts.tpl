/**
 * Runs the BUILT CLI (`bin/run.cjs` -> `dist/`) as a real child process the way cron does: a temp
 * HOME, a clean environment, stdin from /dev/null, stdout and stderr pipes (never a TTY).
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { onTestFinished } from 'vitest';

export const CLI_BIN = fileURLToPath(new URL('../../bin/run.cjs', import.meta.url));
if (!existsSync(fileURLToPath(new URL('../../dist/cli.cjs', import.meta.url)))) {
  throw new Error('these tests run the built CLI: build first (pnpm build)');
}

/** Any ANSI escape sequence: never allowed without a TTY. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching the escape character is the point
export const ANSI = /\u001b\[/;

export interface LogLine {
  level: number;
  msg: string;
  [key: string]: unknown;
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** stderr as JSON lines; throws, naming the line, when one is not JSON. */
  logs: () => LogLine[];
}

export interface Workspace {
  dir: string;
  run(args: string[]): Promise<CliResult>;
  writeConfig(name: string, config: unknown): Promise<string>;
}

/** A temp directory removed after the test, with HOME and the state dir inside it. */
export async function workspace(): Promise<Workspace> {
  const dir = await mkdtemp(join(tmpdir(), '__CLI__-test-'));
  onTestFinished(() => rm(dir, { recursive: true, force: true }));
  const env = { HOME: dir, PATH: process.env.PATH ?? '/usr/bin:/bin', XDG_STATE_HOME: join(dir, 'state') };
  return {
    dir,
    run: (args) =>
      new Promise((resolve, reject) => {
        const child = spawn(process.execPath, [CLI_BIN, ...args], {
          cwd: dir,
          env,
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let stdout = '';
        let stderr = '';
        child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
          stdout += chunk;
        });
        child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
          stderr += chunk;
        });
        child.once('error', reject);
        child.once('close', (code) =>
          resolve({
            code,
            stdout,
            stderr,
            logs: () =>
              stderr
                .split('\n')
                .filter((line) => line !== '')
                .map((line) => {
                  try {
                    return JSON.parse(line) as LogLine;
                  } catch {
                    throw new Error(`stderr line is not JSON: ${JSON.stringify(line)}`);
                  }
                }),
          }),
        );
      }),
    writeConfig: async (name, config) => {
      const path = join(dir, name);
      await writeFile(path, JSON.stringify(config));
      return path;
    },
  };
}
