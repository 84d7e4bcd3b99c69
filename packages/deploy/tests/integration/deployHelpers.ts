/**
 * Deploy-specific test helpers: artifacts, a config pointing at a target in the workspace, a
 * real HTTP health server whose answer follows the release `current` points to, and readers of
 * what a deploy leaves on the target.
 */
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, readlink, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { onTestFinished } from 'vitest';
import type { ReleaseLog } from '../../src/release/types.js';
import type { CliResult, LogLine, Workspace } from './helpers.js';

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

export interface HealthServer {
  url: string;
  /** Requests served so far. */
  hits: number;
  /** When set, every answer is this status, whatever the release says. */
  override: number | undefined;
  close(): Promise<void>;
}

/**
 * A real node:http server on 127.0.0.1:0 standing in for the app: it answers with the status
 * written in `<target>/current/health`, i.e. the health of the release that is live right now
 * (503 when there is no current release).
 */
export async function startHealthServer(target: string): Promise<HealthServer> {
  const state = { hits: 0, override: undefined as number | undefined };
  const server = createServer((_req, res) => {
    state.hits += 1;
    let status = state.override;
    if (status === undefined) {
      status = 503;
      readFile(join(target, 'current', 'health'), 'utf8')
        .then((text) => Number(text.trim()) || 503)
        .catch(() => 503)
        .then((code) => res.writeHead(code, { 'content-type': 'text/plain' }).end(String(code)));
      return;
    }
    res.writeHead(status, { 'content-type': 'text/plain' }).end(String(status));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const health: HealthServer = {
    url: `http://127.0.0.1:${port}/healthz`,
    get hits() {
      return state.hits;
    },
    get override() {
      return state.override;
    },
    set override(value: number | undefined) {
      state.override = value;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  onTestFinished(() => health.close());
  return health;
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

/** A fast health check against `server`: polls every 100 ms, gives up after `timeout`. */
export function healthcheck(server: HealthServer, timeout = '5s'): Record<string, unknown> {
  return { url: server.url, timeout, interval: '100ms' };
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

export const hookOutput = (text: string) => (line: LogLine) =>
  line.msg === 'hook output' && line.line === text;

/**
 * A hook that holds its deploy (and so the lock) until the test creates `$GATE`, at most 20 s:
 * the test decides when the holder moves on, no timing guess involved. `$VAR`, not `${VAR}`,
 * which the config would interpolate.
 */
export const GATED_HOOK =
  'echo holding; i=0; while [ ! -f "$GATE" ] && [ "$i" -lt 400 ]; do sleep 0.05; i=$((i + 1)); done';
