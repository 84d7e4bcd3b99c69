/**
 * Crash safety of a fleet deploy over SSH (issue 18), against real sshd hosts on 127.0.0.1
 * (tools/testkit startSshHosts): a host's sshd killed mid-upload, and the controller killed with
 * SIGKILL at many points of a rollout. Each host's base directory is on this machine, so the
 * test reads what every crash left there.
 */
import { randomBytes } from 'node:crypto';
import { cp, readdir, readFile, readlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  crashOnce,
  describeKillPoint,
  type KillPoint,
  type SshFleet,
  type SshHost,
  startFaultServer,
  type Workspace,
} from '@tempered/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeApp, workspace } from './helpers.js';

let fleet: SshFleet;
/** The big artifact's blob: its upload takes long enough to kill a host in the middle of it. */
const BLOB_BYTES = 16 * 1024 * 1024;
const hosts = (): readonly SshHost[] => fleet.hosts;

beforeAll(async () => {
  const { startSshHosts } = await import('@tempered/testkit');
  fleet = await startSshHosts(3);
}, 60_000);

afterAll(async () => {
  await fleet?.stop();
});

function basePath(host: SshHost, base: string): string {
  return join(host.baseDir, base);
}

/**
 * A health server (closed when the test finishes): `/<base>/<host>` answers with the status written in that
 * host's `current/health` under that base (the live release's own health), 503 without one.
 */
async function startHealth() {
  const server = await startFaultServer([], {
    fallback: async (request) => {
      const [, base = '', name = ''] = request.path.split('/');
      const host = hosts().find((h) => h.name === name);
      const written = host
        ? await readFile(join(basePath(host, base), 'current', 'health'), 'utf8').catch(() => '')
        : '';
      const status = Number(written.trim()) || 503;
      return { status, body: String(status) };
    },
  });
  return server.url;
}

async function currentOn(host: SshHost, base: string): Promise<string | undefined> {
  try {
    return await readlink(join(basePath(host, base), 'current'));
  } catch {
    return undefined;
  }
}

/**
 * The release `current` points to on `host`, checked complete: every file of the app it came
 * from, its own version inside, and (for the big artifact) the blob whole. Undefined when absent.
 */
async function liveRelease(host: SshHost, base: string, blobBytes?: number): Promise<string | undefined> {
  const link = await currentOn(host, base);
  if (link === undefined) return undefined;
  const id = /^releases\/([^/]+)$/.exec(link)?.[1];
  if (!id) throw new Error(`${host.name}: current points to ${link}, not to a release`);
  const dir = join(basePath(host, base), 'releases', id);
  const version = await readFile(join(dir, 'version'), 'utf8').catch(() => '(missing)');
  expect(version.trim(), `${host.name}: the version file of the live release ${id}`).toBe(id);
  for (const file of ['health', 'lib/app.js']) {
    const text = await readFile(join(dir, file), 'utf8').catch(() => undefined);
    expect(text, `${host.name}: ${file} of the live release ${id}`).toBeDefined();
  }
  if (blobBytes !== undefined) {
    const blob = await readFile(join(dir, 'blob.bin')).catch(() => Buffer.alloc(0));
    expect(blob.length, `${host.name}: blob.bin of the live release ${id}`).toBe(blobBytes);
  }
  return id;
}

let configs = 0;
async function fleetConfig(
  ws: Workspace,
  base: string,
  healthUrl: string,
  deploy: Record<string, unknown> = {},
): Promise<string> {
  configs += 1;
  return ws.writeConfig(`fleet-crash-${configs}.json`, {
    deploy: {
      target: {
        type: 'ssh',
        hosts: hosts().map((h) => ({ host: h.name, path: basePath(h, base) })),
        // a killed controller's host locks free themselves soon: the re-run waits them out. Not
        // the 3 s minimum: renewed every second, a live run's lease is at risk on a loaded machine
        ssh: { config: fleet.sshConfigFile, lockTtl: '10s' },
      },
      rollout: { strategy: 'rolling', batch: 1 },
      healthcheck: { url: `${healthUrl}/${base}/{name}`, timeout: '10s', interval: '100ms' },
      ...deploy,
    },
  });
}

let bases = 0;
function newBase(prefix: string): string {
  bases += 1;
  return `${prefix}-${bases}`;
}

/** 'switched current' lines per host of a run. */
function switchesByHost(logs: readonly { msg?: unknown; host?: unknown }[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of logs) {
    if (line.msg !== 'switched current') continue;
    const host = String(line.host);
    out[host] = (out[host] ?? 0) + 1;
  }
  return out;
}

/**
 * Every host on v1 under `base`: copied from a template base deployed once per file (the hosts'
 * base directories are on this machine), so each case starts from a finished v1 rollout
 * without paying for one.
 */
let template: Promise<void> | undefined;
async function v1Everywhere(base: string): Promise<void> {
  template ??= (async () => {
    const ws = await workspace();
    const config = await fleetConfig(ws, 'template', await startHealth());
    const v1 = await ws.run(['release', await makeApp(ws, 'v1'), '--version', 'v1', '--config', config]);
    expect(v1.code, v1.stderr).toBe(0);
  })();
  await template;
  for (const host of hosts()) {
    await cp(basePath(host, 'template'), basePath(host, base), { recursive: true, verbatimSymlinks: true });
  }
}

/** The kill points: before any host is touched, then each step's log line on each host, in order. */
const KILL_POINTS: KillPoint[] = [
  { at: 'artifact checked', nth: 1, label: "'artifact checked'" },
  { at: 'applying plan', nth: 1, label: "'applying plan'" },
  ...['host1', 'host2', 'host3'].flatMap((host) =>
    ['release created', 'switched current', 'health check started', 'healthy'].map(
      (msg): KillPoint => ({
        at: (l) => l.msg === msg && l.host === host,
        nth: 1,
        label: `'${msg}' on ${host}`,
      }),
    ),
  ),
  // each host's release log says "deploying v2" (its first write), and after the last wave
  // each host records v2 as good
  ...['host1', 'host2', 'host3'].flatMap((host): KillPoint[] => [
    {
      at: (l) => l.msg === 'release begun' && l.host === host,
      nth: 1,
      label: `'deploying' recorded on ${host}`,
    },
    {
      at: (l) => l.msg === 'release recorded as good' && l.host === host,
      nth: 1,
      label: `'release recorded as good' on ${host}`,
    },
  ]),
];

describe('fleet deploy crash safety', () => {
  it('an sshd killed mid-upload: the run fails naming the host, no current is half-written, a re-run converges', async () => {
    // Prepare: v1 everywhere; v2 carries 16 MB of random data, so its upload takes a while
    const ws = await workspace();
    const base = newBase('upload');
    await v1Everywhere(base);
    const config = await fleetConfig(ws, base, await startHealth());
    const v2 = await makeApp(ws, 'v2');
    const blob = randomBytes(BLOB_BYTES);
    await writeFile(join(v2, 'blob.bin'), blob);
    const victim = hosts()[1]!;
    const archives = join(basePath(victim, base), '.deploy', 'artifacts');
    const args = ['release', v2, '--version', 'v2', '--config', config];

    // Act 1: host2's sshd dies once its upload has begun
    const run = ws.start(args);
    let killed = false;
    while (run.running && !killed) {
      const names = await readdir(archives).catch(() => [] as string[]);
      if (names.some((n) => n.endsWith('.partial'))) {
        await victim.kill();
        killed = true;
      } else await new Promise((r) => setTimeout(r, 20));
    }
    const failed = await run.exit;
    await victim.restart();

    // Assess 1: a partial run (host1 got the release) whose closing line is host2's upload failure
    expect(killed, 'host2 was killed during its upload').toBe(true);
    expect(failed.code, failed.stderr).toBe(3);
    const error = failed.logs.find((l) => l.level === 50 && l.exit_code !== undefined);
    expect(String(error?.msg)).toMatch(/host2: ssh could not upload release v2/);
    expect(failed.stderr).not.toMatch(/\n\s+at /);
    expect(await liveRelease(hosts()[0]!, base, BLOB_BYTES)).toBe('v2');
    expect(await liveRelease(victim, base)).toBe('v1');
    expect(await liveRelease(hosts()[2]!, base)).toBe('v1');

    // Act 2: the same command again (the killed run's host locks run out meanwhile)
    const rerun = await ws.run([...args, '--lock-wait', '60s']);

    // Assess 2: every host on a complete v2, host1 not switched again
    expect(rerun.code, rerun.stderr).toBe(0);
    for (const host of hosts()) expect(await liveRelease(host, base, BLOB_BYTES)).toBe('v2');
    expect(switchesByHost(rerun.logs)).toEqual({ host2: 1, host3: 1 });
    expect(await readFile(join(basePath(victim, base), 'releases', 'v2', 'blob.bin'))).toEqual(blob);
  }, 400_000);

  it.each(KILL_POINTS.map((point) => [describeKillPoint(point), point] as const))(
    'controller killed with SIGKILL at %s: every current is v1 or a complete v2; a re-run converges, switching each host at most once',
    async (_label, point) => {
      // Prepare
      const ws = await workspace();
      const base = newBase('kill');
      await v1Everywhere(base);
      const config = await fleetConfig(ws, base, await startHealth(), { keepReleases: 1 });
      const args = ['release', await makeApp(ws, 'v2'), '--version', 'v2', '--config', config];

      // Act 1: kill -9 at the point
      const crashed = await crashOnce(ws, args, point, 300_000);

      // Assess 1
      expect(crashed.signalled, `the run ended before ${describeKillPoint(point)}`).toBe(true);
      const live = new Map<string, string | undefined>();
      for (const host of hosts()) live.set(host.name, await liveRelease(host, base));
      for (const [name, id] of live) expect(['v1', 'v2'], `${name} after the kill`).toContain(id);

      // Act 2: the same command again, waiting out the killed run's host locks
      const rerun = await ws.run([...args, '--lock-wait', '60s']);

      // Assess 2: v2 everywhere; a host already on v2 is not switched again, the others at most
      // once (a switch the killed run had already sent may still land on its host after the
      // kill: sshd runs the script it received to its end; the re-run then finds it done)
      expect(rerun.code, rerun.stderr).toBe(0);
      for (const host of hosts()) expect(await liveRelease(host, base)).toBe('v2');
      const switches = switchesByHost(rerun.logs);
      for (const [name, id] of live) {
        expect(switches[name] ?? 0, `${name} switched by the re-run`).toBeLessThanOrEqual(
          id === 'v2' ? 0 : 1,
        );
      }
      expect(Object.keys(switches).every((name) => live.has(name))).toBe(true);
    },
    400_000,
  );
});
