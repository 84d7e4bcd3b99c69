import { readdir, utimes } from 'node:fs/promises';
import {
  deadUrl,
  type FaultRequest,
  type ReplyStep,
  startFaultServer,
  startRecordingServer,
} from '@tempered/testkit';
import { describe, expect, it } from 'vitest';
import { CLEANUP, describeRun, expectNoLeaks, Planted, placeholder, runner } from './suite.js';

const withUser = (url: string, user: string, password: string) =>
  url.replace('://', `://${user}:${password}@`);

/**
 * A minimal OCI registry that wants basic auth (`expected`): `GET /v2/` and an empty tag list for
 * any repository; 401 with a Basic challenge without the right Authorization header.
 */
function fakeRegistry(expected: string) {
  return startFaultServer([], {
    fallback: (request: FaultRequest): ReplyStep => {
      if (request.headers.authorization !== expected)
        return { status: 401, headers: { 'www-authenticate': 'Basic realm="suite"' }, body: '{}' };
      const json = { 'content-type': 'application/json', 'docker-distribution-api-version': 'registry/2.0' };
      if (request.path === '/v2/') return { status: 200, headers: json, body: '{}' };
      const tags = /^\/v2\/(.+)\/tags\/list$/.exec(request.path);
      if (tags) return { status: 200, headers: json, body: JSON.stringify({ name: tags[1], tags: [] }) };
      return { status: 404, headers: json, body: '{"errors":[{"code":"NAME_UNKNOWN"}]}' };
    },
  });
}

describe('resource-cleanup (run, plan, stats): planted secrets are never printed nor stored', () => {
  it('success and failure paths, config / env / *_FILE / URL credentials / registry auth', async () => {
    const ws = await CLEANUP.workspace();
    const planted = new Planted();
    const pingPassword = planted.plant('rc-ping-pw'); // literal userinfo of the ping URL
    const token = planted.plant('rc-token'); // ${SUITE_TOKEN} in the ping path
    const registryPassword = planted.plant('rc-registry', '+.~'); // auth.password: ${REGISTRY_PASSWORD} from REGISTRY_PASSWORD_FILE
    const urlPassword = planted.plant('rc-registry-url-pw'); // literal userinfo of a registry URL
    const registryToken = planted.plant('rc-registry-token'); // auth.token: ${REGISTRY_TOKEN} from the env
    const keySecret = planted.plant('rc-key'); // literal under a secret-looking, unknown key
    planted.basic('ops', pingPassword);
    const basic = planted.basic('ci', registryPassword);
    planted.basic('ci', urlPassword);

    const registry = await fakeRegistry(`Basic ${basic}`);
    const ok = await startRecordingServer(200);
    const failing = await startRecordingServer(500);
    const dead = await deadUrl();
    const logFile = ws.path('log.jsonl');
    const secretFile = await ws.writeFile('secrets/registry_password', `${registryPassword}\n`);
    for (const name of ['a.log', 'b.log', 'c.log']) {
      const file = await ws.writeFile(`junk/${name}`, `${name}\n`);
      const old = new Date(Date.now() - 30 * 86_400_000);
      await utimes(file, old, old);
    }
    const pingUrl = (base: string) =>
      `${withUser(base, 'ops', pingPassword)}/hc/${placeholder('SUITE_TOKEN')}`;
    const fsRule = { name: 'junk', path: ws.path('junk'), match: ['*.log'], olderThan: '7d' };
    const registryRule = (url: string, auth: Record<string, string>) => ({
      name: 'images',
      provider: 'registry',
      url,
      repositories: ['app/web'],
      olderThan: '7d',
      auth,
    });
    const basicAuth = { username: 'ci', password: placeholder('REGISTRY_PASSWORD') };
    const retry = { maxAttempts: 2, baseDelay: '10ms', maxDelay: '20ms', attemptTimeout: '2s' };
    const config = (name: string, ping: string, rules: unknown[], extra: Record<string, unknown> = {}) =>
      ws.writeConfig(name, { ping, retry, 'resource-cleanup': { rules, ...extra } });
    const good = await config('good.json', pingUrl(ok.url), [fsRule, registryRule(registry.url, basicAuth)]);
    const deadRegistry = await config('dead-registry.json', pingUrl(failing.url), [
      registryRule(withUser(dead, 'ci', urlPassword), basicAuth),
    ]);
    const refused = await config('refused.json', pingUrl(dead), [
      registryRule(registry.url, { token: placeholder('REGISTRY_TOKEN') }),
    ]);
    const badKey = await config('bad-key.json', pingUrl(ok.url), [fsRule], {
      apiToken: keySecret,
      maxDelte: 3,
    });
    const { runs, run } = runner(ws, logFile, {
      SUITE_TOKEN: token,
      REGISTRY_PASSWORD_FILE: secretFile,
      REGISTRY_TOKEN: registryToken,
    });

    const codes: [string, number | null][] = [];
    const record = async (name: string, args: string[]) => codes.push([name, (await run(name, args)).code]);
    await record('plan', ['plan', '--config', good]);
    await record('plan --json', ['plan', '--config', good, '--json']);
    await record('run --dry-run --json', ['run', '--config', good, '--dry-run', '--json']);
    await record('run', ['run', '--config', good, '--yes']);
    await record('run again --json', ['run', '--config', good, '--yes', '--json']);
    await record('plan, dead registry', ['plan', '--config', deadRegistry, '--json']);
    await record('run, dead registry, ping 500', ['run', '--config', deadRegistry, '--yes']);
    await record('run, wrong token, dead ping', ['run', '--config', refused, '--yes', '--json']);
    await record('plan, bad key', ['plan', '--config', badKey, '--json']);
    await record('run, bad key', ['run', '--config', badKey, '--yes']);
    await record('stats', ['stats', '--config', good]);
    await record('stats --json', ['stats', '--config', deadRegistry, '--json']);

    const failed = runs.filter((r) => r.result.code !== 0).map((r) => `${r.name}: ${describeRun(r.result)}`);
    expect(
      codes.map(([name, code]) => [name, code === 0]),
      failed.join('\n'),
    ).toEqual([
      ['plan', true],
      ['plan --json', true],
      ['run --dry-run --json', true],
      ['run', true],
      ['run again --json', true],
      ['plan, dead registry', false],
      ['run, dead registry, ping 500', false],
      ['run, wrong token, dead ping', false],
      ['plan, bad key', false],
      ['run, bad key', false],
      ['stats', true],
      ['stats --json', true],
    ]);
    // the runs did their work, and every planted value was really used on the wire
    expect(await readdir(ws.path('junk'))).toEqual([]);
    expect(registry.received.some((r) => r.headers.authorization === `Basic ${basic}`)).toBe(true);
    expect(registry.received.some((r) => r.headers.authorization === `Bearer ${registryToken}`)).toBe(true);
    expect(ok.received.some((r) => r.url.includes(token))).toBe(true);
    expect(failing.received.length).toBeGreaterThan(0);

    const files = await expectNoLeaks(planted, runs, logFile, [ws.stateHome]);
    expect(files).toBeGreaterThan(3);
  });
});
