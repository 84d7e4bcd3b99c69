import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { deadUrl, startFaultServer, startRecordingServer, type Workspace } from '@tempered/testkit';
import { describe, expect, it } from 'vitest';
import { DEPLOY, describeRun, expectNoLeaks, Planted, placeholder, runner } from './suite.js';

/** A build directory whose `health` file says what the health server answers while it is current. */
async function makeApp(ws: Workspace, name: string, health: number): Promise<string> {
  const dir = ws.path('builds', name);
  await mkdir(join(dir, 'lib'), { recursive: true });
  await writeFile(join(dir, 'version'), `${name}\n`);
  await writeFile(join(dir, 'health'), `${health}\n`);
  await writeFile(join(dir, 'lib', 'app.js'), `export const version = ${JSON.stringify(name)};\n`);
  return dir;
}

const withUser = (url: string, password: string) => url.replace('://', `://ops:${password}@`);

describe('deploy (release, rollback, list, status, unlock, stats): planted secrets are never printed nor stored', () => {
  it('success and failure paths, config / env / *_FILE / URL credentials / hooks', async () => {
    const ws = await DEPLOY.workspace();
    const planted = new Planted();
    const pingPassword = planted.plant('deploy-ping-pw'); // literal userinfo of the ping URL
    const healthPassword = planted.plant('deploy-health-pw'); // literal userinfo of the health-check URL
    const token = planted.plant('deploy-token'); // ${SUITE_TOKEN}: ping and health-check paths
    const hookSecret = planted.plant('deploy-hook', '+.~'); // ${DEPLOY_PASSWORD} from DEPLOY_PASSWORD_FILE, echoed by hooks
    const keySecret = planted.plant('deploy-key'); // literal under a secret-looking, unknown key
    planted.basic('ops', pingPassword);
    planted.basic('ops', healthPassword);

    const target = ws.path('target');
    const health = await startFaultServer([], {
      fallback: async () => {
        const written = await readFile(join(target, 'current', 'health'), 'utf8').catch(() => '');
        return { status: Number(written.trim()) || 503, body: 'health' };
      },
    });
    const ok = await startRecordingServer(200);
    const failing = await startRecordingServer(500);
    const dead = await deadUrl();
    const logFile = ws.path('log.jsonl');
    const secretFile = await ws.writeFile('secrets/deploy_password', `${hookSecret}\n`);
    const healthUrl = (base: string) =>
      `${withUser(base, healthPassword)}/healthz/${placeholder('SUITE_TOKEN')}`;
    const pingUrl = (base: string) => `${withUser(base, pingPassword)}/hc/${placeholder('SUITE_TOKEN')}`;
    const hooks = {
      beforeSwitch: [`echo "before with ${placeholder('DEPLOY_PASSWORD')}"`],
      afterSwitch: [`echo "after with ${placeholder('DEPLOY_PASSWORD')}" >&2`],
    };
    const deploy = (extra: Record<string, unknown> = {}) => ({
      target: { path: target },
      hooks,
      healthcheck: { url: healthUrl(health.url), timeout: '2s', interval: '100ms' },
      ...extra,
    });
    const good = await ws.writeConfig('good.json', { ping: pingUrl(ok.url), deploy: deploy() });
    const failingPing = await ws.writeConfig('failing.json', {
      ping: pingUrl(failing.url),
      deploy: deploy(),
    });
    const deadPing = await ws.writeConfig('dead.json', { ping: pingUrl(dead), deploy: deploy() });
    const deadHealth = await ws.writeConfig('dead-health.json', {
      ping: pingUrl(ok.url),
      deploy: deploy({ healthcheck: { url: healthUrl(dead), timeout: '1s', interval: '100ms' } }),
    });
    const failingHook = await ws.writeConfig('failing-hook.json', {
      ping: pingUrl(failing.url),
      deploy: deploy({
        hooks: { beforeSwitch: [`echo "failing with ${placeholder('DEPLOY_PASSWORD')}" >&2; exit 3`] },
      }),
    });
    const badKey = await ws.writeConfig('bad-key.json', {
      ping: pingUrl(ok.url),
      deploy: { ...deploy(), apiKey: keySecret, keepReleasse: 3 },
    });
    const { runs, run } = runner(ws, logFile, { SUITE_TOKEN: token, DEPLOY_PASSWORD_FILE: secretFile });
    const release = (name: string, healthy: number, config: string, extra: string[] = []) =>
      makeApp(ws, name, healthy).then((dir) =>
        run(`release ${name} (${config})`, ['release', dir, '--version', name, '--config', config, ...extra]),
      );

    const codes: [string, number | null][] = [];
    const record = async (promise: Promise<{ code: number | null }>, name: string) =>
      codes.push([name, (await promise).code]);
    await record(release('v1', 200, good), 'release v1');
    await record(release('v2', 200, good, ['--json']), 'release v2 --json');
    await record(release('v3', 200, good, ['--dry-run', '--json']), 'release v3 --dry-run');
    await record(run('list', ['list', '--config', good]), 'list');
    await record(run('list --json', ['list', '--config', good, '--json']), 'list --json');
    await record(run('status', ['status', '--config', good]), 'status');
    await record(
      run('status --json', ['status', '--config', deadPing, '--json']),
      'status --json, dead ping',
    );
    await record(run('rollback', ['rollback', '--config', good]), 'rollback');
    await record(release('v4', 503, failingPing), 'release v4 unhealthy, ping 500');
    await record(
      run('rollback dead health', ['rollback', 'v2', '--config', deadHealth, '--json']),
      'rollback, dead health',
    );
    await record(release('v5', 200, failingHook, ['--json']), 'release v5, failing hook');
    await record(release('v6', 200, badKey, ['--json']), 'release v6, bad key');
    await record(run('unlock', ['unlock', '--config', good, '--yes']), 'unlock');
    await record(
      run('unlock --json', ['unlock', '--config', deadPing, '--yes', '--json']),
      'unlock --json, dead ping',
    );
    await record(run('stats', ['stats', '--config', good]), 'stats');
    await record(run('stats --json', ['stats', '--config', good, '--json']), 'stats --json');

    const failed = runs.filter((r) => r.result.code !== 0).map((r) => `${r.name}: ${describeRun(r.result)}`);
    expect(codes, failed.join('\n')).toEqual([
      ['release v1', 0],
      ['release v2 --json', 0],
      ['release v3 --dry-run', 0],
      ['list', 0],
      ['list --json', 0],
      ['status', 0],
      ['status --json, dead ping', 0],
      ['rollback', 0],
      ['release v4 unhealthy, ping 500', 1],
      ['rollback, dead health', 1],
      ['release v5, failing hook', 1],
      ['release v6, bad key', 2],
      ['unlock', 0],
      ['unlock --json, dead ping', 0],
      ['stats', 0],
      ['stats --json', 0],
    ]);
    // every planted value was really used: on the wire, and by the hooks
    expect(health.received.some((r) => r.url.includes(token))).toBe(true);
    expect(ok.received.some((r) => r.url.includes(token))).toBe(true);
    expect(failing.received.length).toBeGreaterThan(0);
    const log = await readFile(logFile, 'utf8');
    expect(log).toContain('before with [REDACTED]');
    expect(log).toContain('failing with [REDACTED]');

    const files = await expectNoLeaks(planted, runs, logFile, [ws.stateHome, target]);
    expect(files).toBeGreaterThan(5);
  });
});
