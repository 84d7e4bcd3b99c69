/**
 * deploy to a fleet over SSH, against real sshd hosts on 127.0.0.1 (tools/testkit startSshHosts):
 * each host's base directory is on this machine, so the test reads what the deploy left there.
 */
import { existsSync } from 'node:fs';
import { readdir, readFile, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { type SshFleet, type SshHost, startFaultServer, type Workspace } from '@tempered/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GATED_HOOK, makeApp, workspace } from './helpers.js';

let fleet: SshFleet;
const hosts = (): readonly SshHost[] => fleet.hosts;

beforeAll(async () => {
  const { startSshHosts } = await import('@tempered/testkit');
  fleet = await startSshHosts(5);
}, 60_000);

afterAll(async () => {
  await fleet?.stop();
});

/** Each test deploys under its own base directory on every host. */
let bases = 0;
function newBase(): string {
  bases += 1;
  return `deploy-${bases}`;
}

function basePath(host: SshHost, base: string): string {
  return join(host.baseDir, base);
}

async function currentOn(host: SshHost, base: string): Promise<string | undefined> {
  try {
    return await readlink(join(basePath(host, base), 'current'));
  } catch {
    return undefined;
  }
}

async function releasesOn(host: SshHost, base: string): Promise<string[]> {
  try {
    return (await readdir(join(basePath(host, base), 'releases'))).sort();
  } catch {
    return [];
  }
}

/**
 * A health server for the whole fleet: `/<host name>` answers with the status written in that
 * host's `current/health` (the live release's own health), unless the test forces one.
 */
async function fleetHealth(base: string) {
  const forced = new Map<string, number>();
  const server = await startFaultServer([], {
    fallback: async (request) => {
      const name = request.path.replace(/^\//, '');
      const host = hosts().find((h) => h.name === name);
      let status = forced.get(name);
      if (status === undefined && host) {
        const written = await readFile(join(basePath(host, base), 'current', 'health'), 'utf8').catch(
          () => '',
        );
        status = Number(written.trim()) || 503;
      }
      return { status: status ?? 404, body: String(status) };
    },
  });
  return { url: `${server.url}/{name}`, forced, close: () => server.close() };
}

async function fleetConfig(
  ws: Workspace,
  base: string,
  deploy: Record<string, unknown> = {},
  ssh: Record<string, unknown> = {},
): Promise<string> {
  return ws.writeConfig(`fleet-${base}-${Math.random().toString(36).slice(2)}.json`, {
    deploy: {
      target: {
        type: 'ssh',
        hosts: hosts().map((h) => ({ host: h.name, path: basePath(h, base) })),
        ssh: { config: fleet.sshConfigFile, ...ssh },
      },
      ...deploy,
    },
  });
}

describe('deploy to a fleet over SSH', () => {
  it('rolls out to 5 hosts in batches of 2; the same artifact again uploads and switches nothing', async () => {
    // Prepare
    const ws = await workspace();
    const base = newBase();
    const health = await fleetHealth(base);
    const config = await fleetConfig(ws, base, {
      rollout: { strategy: 'rolling', batch: 2 },
      shared: ['logs'],
      hooks: { afterSwitch: ['echo "on $(hostname) $DEPLOY_RELEASE"; test -L logs'] },
      healthcheck: { url: health.url, timeout: '20s', interval: '100ms' },
    });
    const v1 = await makeApp(ws, 'v1');

    // Act 1
    const first = await ws.run(['release', v1, '--version', 'v1', '--config', config]);

    // Assess 1: every host is on a complete v1, checked healthy, in waves of two
    expect(first.code, first.stderr).toBe(0);
    for (const host of hosts()) {
      expect(await currentOn(host, base)).toBe('releases/v1');
      expect(await readFile(join(basePath(host, base), 'releases', 'v1', 'version'), 'utf8')).toBe('v1\n');
      expect(existsSync(join(basePath(host, base), 'releases', 'v1', 'lib', 'app.js'))).toBe(true);
    }
    const healthy = first.logs.filter((l) => l.msg === 'healthy').map((l) => l.host);
    expect(new Set(healthy)).toEqual(new Set(hosts().map((h) => h.name)));
    const switched = first.logs.filter((l) => l.msg === 'switched current').map((l) => l.host);
    // hosts 3-5 switch only after hosts 1-2 are healthy
    const firstHealthyIndex = first.logs.findIndex((l) => l.msg === 'healthy');
    const lateSwitch = first.logs.findIndex((l) => l.msg === 'switched current' && l.host === 'host5');
    expect(switched).toHaveLength(5);
    expect(lateSwitch).toBeGreaterThan(firstHealthyIndex);
    const archives = await readdir(join(basePath(hosts()[0]!, base), '.deploy', 'artifacts'));

    // Act 2: the same artifact again
    const again = await ws.run(['release', v1, '--config', config]);

    // Assess 2: nothing sent, nothing switched
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain('already deployed');
    expect(again.logs.filter((l) => l.msg === 'release created' || l.msg === 'switched current')).toEqual([]);
    expect(await readdir(join(basePath(hosts()[0]!, base), '.deploy', 'artifacts'))).toEqual(archives);

    // Act 3: status
    const status = await ws.run(['status', '--config', config, '--json']);
    expect(status.code, status.stderr).toBe(0);
    const { result } = JSON.parse(status.stdout) as {
      result: { hosts: { host: string; drift: boolean }[]; fleetRelease: string };
    };
    expect(result.fleetRelease).toBe('v1');
    expect(result.hosts.map((h) => h.drift)).toEqual([false, false, false, false, false]);
    await health.close();
  }, 300_000);

  it('a canary failing its health check is rolled back; the other hosts are never touched', async () => {
    // Prepare
    const ws = await workspace();
    const base = newBase();
    const health = await fleetHealth(base);
    const config = await fleetConfig(ws, base, {
      rollout: { strategy: 'canary', canary: 'host2' },
      healthcheck: { url: health.url, timeout: '10s', interval: '100ms' },
    });
    const v1 = await ws.run(['release', await makeApp(ws, 'v1'), '--version', 'v1', '--config', config]);
    expect(v1.code, v1.stderr).toBe(0);

    // Act: v2 answers 503 wherever it is live
    const v2 = await ws.run([
      'release',
      await makeApp(ws, 'v2', { health: 503 }),
      '--version',
      'v2',
      '--config',
      config,
    ]);

    // Assess
    expect(v2.code, v2.stderr).toBe(3);
    expect(v2.stderr).toContain('host2');
    for (const host of hosts()) expect(await currentOn(host, base)).toBe('releases/v1');
    expect(await releasesOn(hosts()[1]!, base)).toEqual(['v1', 'v2']);
    for (const host of hosts().filter((h) => h.name !== 'host2')) {
      expect(await releasesOn(host, base)).toEqual(['v1']);
    }
    const log = JSON.parse(await readFile(join(basePath(hosts()[1]!, base), 'release-log.json'), 'utf8'));
    expect(log.releases.find((r: { id: string }) => r.id === 'v2').status).toBe('failed');
    await health.close();
  }, 300_000);

  it('the third host failing health in a rolling deploy: hosts 1-3 go back to v1, hosts 4-5 untouched, exit 3', async () => {
    // Prepare
    const ws = await workspace();
    const base = newBase();
    const health = await fleetHealth(base);
    const config = await fleetConfig(ws, base, {
      rollout: { strategy: 'rolling', batch: 1 },
      healthcheck: { url: health.url, timeout: '10s', interval: '100ms' },
    });
    expect(
      (await ws.run(['release', await makeApp(ws, 'v1'), '--version', 'v1', '--config', config])).code,
    ).toBe(0);
    health.forced.set('host3', 503);

    // Act
    const v2 = await ws.run(['release', await makeApp(ws, 'v2'), '--version', 'v2', '--config', config]);

    // Assess
    expect(v2.code, v2.stderr).toBe(3);
    const error = v2.logs.find((l) => l.level === 50 && l.exit_code !== undefined);
    expect(String(error?.msg)).toMatch(/host3/);
    expect(String(error?.msg)).toMatch(/host1 v1 -> v1/);
    for (const host of hosts()) expect(await currentOn(host, base)).toBe('releases/v1');
    for (const host of hosts().slice(0, 3)) expect(await releasesOn(host, base)).toContain('v2');
    for (const host of hosts().slice(3)) expect(await releasesOn(host, base)).toEqual(['v1']);
    const rolledBack = v2.logs.filter((l) => l.msg === 'rolled back').map((l) => l.host);
    expect(new Set(rolledBack)).toEqual(new Set(['host1', 'host2', 'host3']));

    // a re-run once host3 is healthy converges on v2 everywhere
    health.forced.clear();
    const retry = await ws.run(['release', await makeApp(ws, 'v2b'), '--version', 'v2b', '--config', config]);
    expect(retry.code, retry.stderr).toBe(0);
    for (const host of hosts()) expect(await currentOn(host, base)).toBe('releases/v2b');
    await health.close();
  }, 300_000);

  it('rollback on chosen hosts, then on the whole fleet; status shows the drift in between', async () => {
    // Prepare: v1 then v2 on every host
    const ws = await workspace();
    const base = newBase();
    const config = await fleetConfig(ws, base, { rollout: { strategy: 'parallel', concurrency: 5 } });
    for (const v of ['v1', 'v2']) {
      const run = await ws.run(['release', await makeApp(ws, v), '--version', v, '--config', config]);
      expect(run.code, run.stderr).toBe(0);
    }

    // Act 1: host1 only
    const one = await ws.run(['rollback', '--hosts', 'host1', '--config', config]);

    // Assess 1
    expect(one.code, one.stderr).toBe(0);
    expect(await currentOn(hosts()[0]!, base)).toBe('releases/v1');
    for (const host of hosts().slice(1)) expect(await currentOn(host, base)).toBe('releases/v2');
    const status = await ws.run(['status', '--config', config, '--json']);
    const { result } = JSON.parse(status.stdout) as {
      result: { hosts: { host: string; drift: boolean }[]; fleetRelease: string };
    };
    expect(result.fleetRelease).toBe('v2');
    expect(result.hosts.filter((h) => h.drift).map((h) => h.host)).toEqual(['host1']);

    // Act 2: the whole fleet to v1 by name (host1 is there already)
    const all = await ws.run(['rollback', 'v1', '--config', config]);

    // Assess 2
    expect(all.code, all.stderr).toBe(0);
    for (const host of hosts()) expect(await currentOn(host, base)).toBe('releases/v1');
    expect(
      all.logs
        .filter((l) => l.msg === 'switched current')
        .map((l) => l.host)
        .sort(),
    ).toEqual(['host2', 'host3', 'host4', 'host5']);
  }, 300_000);

  it('an unknown host key is refused naming the host; nothing is uploaded anywhere', async () => {
    // Prepare
    const ws = await workspace();
    const base = newBase();
    const unknown = await fleet.knownHostsWithout(hosts()[3]!);
    const app = await makeApp(ws, 'v1');

    // Act 1: host4 missing from known_hosts
    const config = await fleetConfig(ws, base, {}, { knownHosts: unknown });
    const refused = await ws.run(['release', app, '--version', 'v1', '--config', config]);

    // Assess 1
    expect(refused.code, refused.stderr).toBe(2);
    expect(refused.stderr).toMatch(/host4.*host key is not in known_hosts/);
    for (const host of hosts())
      expect(existsSync(join(basePath(host, base), '.deploy', 'artifacts'))).toBe(false);
    expect(refused.stderr).not.toMatch(/\n\s+at /);
  }, 300_000);

  it('a changed host key is refused naming the host: nothing is uploaded anywhere (exit 2)', async () => {
    // Prepare: a fleet of its own, whose second host gets a new key after known_hosts was written
    const { startSshHosts } = await import('@tempered/testkit');
    const own = await startSshHosts(2);
    try {
      const ws = await workspace();
      await own.hosts[1]!.rotateHostKey();
      const config = await ws.writeConfig('changed-key.json', {
        deploy: {
          target: {
            type: 'ssh',
            hosts: own.hosts.map((h) => ({ host: h.name, path: join(h.baseDir, 'app') })),
            ssh: { config: own.sshConfigFile },
          },
        },
      });

      // Act
      const refused = await ws.run([
        'release',
        await makeApp(ws, 'v1'),
        '--version',
        'v1',
        '--config',
        config,
      ]);

      // Assess
      expect(refused.code, refused.stderr).toBe(2);
      expect(refused.stderr).toMatch(/host2.*host key has CHANGED/);
      expect(refused.stderr).not.toMatch(/\n\s+at /);
      for (const host of own.hosts)
        expect(existsSync(join(host.baseDir, 'app', '.deploy', 'artifacts'))).toBe(false);
      for (const host of own.hosts) expect(existsSync(join(host.baseDir, 'app', 'releases'))).toBe(false);
    } finally {
      await own.stop();
    }
  }, 300_000);

  it('two controllers at once: the second is refused with the first named (exit 75)', async () => {
    // Prepare
    const ws = await workspace();
    const other = await workspace();
    const base = newBase();
    const gate = ws.path('gate');
    // a remote hook sees only DEPLOY_* variables: the gate's path goes in the hook itself
    const config = await fleetConfig(ws, base, {
      hooks: { beforeSwitch: [GATED_HOOK.replaceAll('"$GATE"', `'${gate}'`)] },
    });
    const app = await makeApp(ws, 'v1');

    // Act: the first holds its deploy in a hook; the second (its own state dir) tries meanwhile
    const first = ws.run([
      'release',
      app,
      '--version',
      'v1',
      '--config',
      config,
      '--message',
      'hotfix for #123',
    ]);
    let second: Awaited<ReturnType<Workspace['run']>> | undefined;
    for (let i = 0; i < 200 && !second; i += 1) {
      await new Promise((r) => setTimeout(r, 100));
      if (existsSync(join(basePath(hosts()[0]!, base), '.deploy', 'lock'))) {
        second = await other.run(['release', app, '--version', 'v1', '--config', config]);
      }
    }
    const { writeFile } = await import('node:fs/promises');
    await writeFile(gate, '');
    const done = await first;

    // Assess
    expect(second?.code, second?.stderr).toBe(75);
    expect(second?.stderr).toMatch(
      /deploy lock held by run \S+ \(pid \d+ on [^,]+, user \w+, version v1, \W+hotfix for #123/,
    );
    expect(done.code, done.stderr).toBe(0);
    for (const host of hosts()) expect(await currentOn(host, base)).toBe('releases/v1');
    for (const host of hosts()) expect(existsSync(join(basePath(host, base), '.deploy', 'lock'))).toBe(false);
  }, 300_000);
});
