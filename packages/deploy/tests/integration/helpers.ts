/**
 * deploy's own integration-test specifics: the CLI, artifacts, a config pointing at a target in the
 * workspace, a real HTTP health server whose answer follows the release `current` points to, and
 * readers of what a deploy leaves on the target. Everything generic (the BUILT CLI as a real child
 * process, temp workspaces, log lines, HTTP servers) is `@tempered/testkit`.
 */
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, readlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  type CliResult,
  defineCli,
  type LogLine,
  type ReplyStep,
  startFaultServer,
  type Workspace,
} from '@tempered/testkit';
import { expect } from 'vitest';
import type { ReleaseLog } from '../../src/release/types.js';

export const CLI = defineCli({
  name: 'deploy',
  packageUrl: new URL('../../', import.meta.url),
  built: ['dist/commands/release.js', '../core/dist/index.js'],
  buildHint: 'npx pnpm@10.34.9 build',
});

/** A temp workspace of one test that runs deploy. */
export function workspace(): Promise<Workspace> {
  return CLI.workspace();
}

/**
 * A build output directory: `health` holds the status code the health server answers while this
 * release is current (200 healthy, 503 not), `version` names it.
 */
export async function makeApp(
  ws: Workspace,
  name: string,
  options: { health?: number } = {},
): Promise<string> {
  const dir = ws.path('builds', name);
  await mkdir(join(dir, 'lib'), { recursive: true });
  await writeFile(join(dir, 'version'), `${name}\n`);
  await writeFile(join(dir, 'health'), `${options.health ?? 200}\n`);
  await writeFile(join(dir, 'lib', 'app.js'), `export const version = ${JSON.stringify(name)};\n`);
  return dir;
}

/** Makes the app `name` and releases it as version `name` with `config`: the run must succeed. */
export async function releaseOk(
  ws: Workspace,
  name: string,
  config: string,
  env?: Record<string, string>,
): Promise<void> {
  const result = await ws.run(['release', await makeApp(ws, name), '--version', name, '--config', config], {
    env,
  });
  expect(result.code, result.stderr).toBe(0);
}

export interface HealthServer {
  url: string;
  /** Requests served so far. */
  readonly hits: number;
  /** When set, every answer is this status, whatever the release says. */
  override: number | undefined;
  close(): Promise<void>;
}

const statusReply = (status: number): ReplyStep => ({
  status,
  headers: { 'content-type': 'text/plain' },
  body: String(status),
});

/**
 * A real node:http server on 127.0.0.1:0 standing in for the app: it answers with the status
 * written in `<target>/current/health`, i.e. the health of the release that is live right now
 * (503 when there is no current release).
 */
export async function startHealthServer(target: string): Promise<HealthServer> {
  const state = { override: undefined as number | undefined };
  const server = await startFaultServer([], {
    fallback: async () => {
      if (state.override !== undefined) return statusReply(state.override);
      const written = await readFile(join(target, 'current', 'health'), 'utf8').catch(() => '');
      return statusReply(Number(written.trim()) || 503);
    },
  });
  return {
    url: `${server.url}/healthz`,
    get hits() {
      return server.count;
    },
    get override() {
      return state.override;
    },
    set override(value: number | undefined) {
      state.override = value;
    },
    close: () => server.close(),
  };
}

/**
 * The set-up of a health-checked deploy: a health server for the workspace's target, and a new
 * config (`deploy` on top) whose health check polls it every 100 ms for up to `timeout`.
 */
export async function healthCheckedConfig(
  ws: Workspace,
  deploy: Record<string, unknown> = {},
  timeout = '5s',
): Promise<{ server: HealthServer; config: string }> {
  const server = await startHealthServer(targetOf(ws));
  const config = await writeDeployConfig(ws, {
    ...deploy,
    healthcheck: { url: server.url, timeout, interval: '100ms' },
  });
  return { server, config };
}

/** The workspace's target directory. */
export function targetOf(ws: Workspace): string {
  return ws.path('target');
}

let configs = 0;

/** Writes a new config file (its own name each call) with a target in the workspace and `deploy` on top. */
export async function writeDeployConfig(
  ws: Workspace,
  deploy: Record<string, unknown> = {},
): Promise<string> {
  configs += 1;
  return ws.writeConfig(`deploy-${configs}.json`, { deploy: { target: { path: targetOf(ws) }, ...deploy } });
}

export async function currentOf(ws: Workspace): Promise<string | undefined> {
  try {
    return await readlink(join(targetOf(ws), 'current'));
  } catch {
    return undefined;
  }
}

export async function releasesOf(ws: Workspace): Promise<string[]> {
  try {
    return (await readdir(join(targetOf(ws), 'releases'))).sort();
  } catch {
    return [];
  }
}

export async function releaseLog(ws: Workspace): Promise<ReleaseLog> {
  return JSON.parse(await readFile(join(targetOf(ws), 'release-log.json'), 'utf8')) as ReleaseLog;
}

export async function statusOf(ws: Workspace, id: string): Promise<string | undefined> {
  return (await releaseLog(ws)).releases.find((r) => r.id === id)?.status;
}

/** A release directory is complete: it holds every file of the app it came from. */
export async function expectCompleteRelease(ws: Workspace, id: string): Promise<void> {
  const dir = join(targetOf(ws), 'releases', id);
  for (const file of ['version', 'health', 'lib/app.js']) {
    if (!existsSync(join(dir, file))) throw new Error(`release ${id} is incomplete: ${file} is missing`);
  }
  const version = (await readFile(join(dir, 'version'), 'utf8')).trim();
  if (version !== id) throw new Error(`release ${id} holds version ${version}`);
}

/** The closing error line of a failed run: level 50 with the exit code (not applyPlan's "action failed"). */
export function errorLine(result: CliResult): LogLine | undefined {
  return result.logs.find((line) => line.level === 50 && line.exit_code !== undefined);
}

/**
 * A hook that holds its deploy (and so the lock) until the test creates `$GATE`, at most 20 s:
 * the test decides when the holder moves on, no timing guess involved. `$VAR`, not `${VAR}`,
 * which the config would interpolate.
 */
export const GATED_HOOK =
  'echo holding; i=0; while [ ! -f "$GATE" ] && [ "$i" -lt 400 ]; do sleep 0.05; i=$((i + 1)); done';
