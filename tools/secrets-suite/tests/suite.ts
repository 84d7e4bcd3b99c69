/**
 * The secrets suite's shared parts: the four built CLIs, planted values (unique, long, greppable),
 * and the one check every test ends with: no planted value (nor its URL-encoded or basic-auth form)
 * in any run's stdout or stderr, in the log file, or in any file under the directories given.
 */
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { relative } from 'node:path';
import { type CliResult, defineCli, type Workspace, walk } from '@tempered/testkit';
import { expect } from 'vitest';

const root = new URL('../../../', import.meta.url);

export const FILE_SYNC = defineCli({
  name: 'file-sync',
  packageUrl: new URL('packages/file-sync/', root),
  built: ['dist/commands/sync.js', 'dist/commands/stats.js', '../core/dist/index.js'],
  buildHint: 'npx pnpm@10.34.9 build',
});

export const DEPLOY = defineCli({
  name: 'deploy',
  packageUrl: new URL('packages/deploy/', root),
  built: ['dist/commands/release.js', 'dist/commands/rollback.js', '../core/dist/index.js'],
  buildHint: 'npx pnpm@10.34.9 build',
});

export const CLEANUP = defineCli({
  name: 'resource-cleanup',
  packageUrl: new URL('packages/resource-cleanup/', root),
  built: ['dist/commands/run.js', 'dist/commands/plan.js', '../core/dist/index.js'],
  buildHint: 'npx pnpm@10.34.9 build',
});

export const DEMO = defineCli({
  name: 'tempered-demo',
  packageUrl: new URL('tools/demo-cli/', root),
  built: ['dist/commands/apply.js', '../../packages/core/dist/index.js'],
  buildHint: 'npx pnpm@10.34.9 build',
});

/** `${NAME}`: a config placeholder, resolved by the CLI from its environment. */
export const placeholder = (name: string): string => `\${${name}}`;

/**
 * Planted values of one test: each unique (random hex) and long, so a hit is never a coincidence.
 * `plant('ping-pw')` returns `PLANTED-ping-pw-<32 hex>`; `extra` adds a suffix (e.g. characters
 * that URL-encode differently).
 */
export class Planted {
  readonly values: string[] = [];
  /** Derived forms that must not appear either (e.g. base64 of `user:password`). */
  readonly derived: string[] = [];

  plant(label: string, extra = ''): string {
    const value = `PLANTED-${label}-${randomBytes(16).toString('hex')}${extra}`;
    this.values.push(value);
    return value;
  }

  /** What goes on the wire for basic auth with this user and password. */
  basic(user: string, password: string): string {
    const encoded = Buffer.from(`${user}:${password}`).toString('base64');
    this.derived.push(encoded);
    return encoded;
  }

  /** Every form searched for: the value, its URL-encoded forms, and the derived ones. */
  get forms(): string[] {
    const out = new Set<string>();
    for (const value of this.values) {
      out.add(value);
      out.add(encodeURIComponent(value));
      out.add(encodeURI(value));
      out.add(encodeURIComponent(value).replaceAll('%20', '+'));
    }
    for (const value of this.derived) out.add(value);
    return [...out];
  }

  /** The planted forms found in `text`. */
  leaks(text: string): string[] {
    return this.forms.filter((form) => text.includes(form));
  }
}

/** A run of a CLI, named for the failure message. */
export interface NamedRun {
  name: string;
  result: CliResult;
}

/**
 * Runs the CLI with `--log-file` and `--log-level debug` (the log file shared by every run of the
 * test), records it under `name` and returns it.
 */
export function runner(ws: Workspace, logFile: string, env: Record<string, string>) {
  const runs: NamedRun[] = [];
  const run = async (name: string, args: string[], extraEnv: Record<string, string> = {}) => {
    const result = await ws.run([...args, '--log-level', 'debug', '--log-file', logFile], {
      env: { ...env, ...extraEnv },
    });
    runs.push({ name, result });
    return result;
  };
  return { runs, run };
}

/** A readable summary of a run for assertion messages. */
export function describeRun(result: CliResult): string {
  return `exit ${result.code}\nstdout:\n${result.stdout}\nstderr:\n${result.stderr}`;
}

/**
 * The check: no planted form in any run's stdout or stderr, in the log file, or in the name or the
 * content of any file under `dirs` (walked whole). Returns how many files were read.
 */
export async function expectNoLeaks(
  planted: Planted,
  runs: NamedRun[],
  logFile: string,
  dirs: string[],
): Promise<number> {
  for (const { name, result } of runs) {
    expect([name, 'stdout', planted.leaks(result.stdout)]).toEqual([name, 'stdout', []]);
    expect([name, 'stderr', planted.leaks(result.stderr)]).toEqual([name, 'stderr', []]);
  }
  const log = await readFile(logFile, 'utf8');
  expect(log.length).toBeGreaterThan(0);
  expect(['log file', planted.leaks(log)]).toEqual(['log file', []]);
  let files = 0;
  for (const dir of dirs) {
    for (const entry of await walk(dir)) {
      const name = relative(dir, entry.path);
      expect([name, planted.leaks(name)]).toEqual([name, []]);
      if (entry.isDirectory) continue;
      files += 1;
      const content = await readFile(entry.path, 'utf8');
      expect([entry.path, planted.leaks(content)]).toEqual([entry.path, []]);
    }
  }
  return files;
}
