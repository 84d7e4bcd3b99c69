import { deadUrl, startRecordingServer } from '@tempered/testkit';
import { describe, expect, it } from 'vitest';
import { describeRun, expectNoLeaks, FILE_SYNC, Planted, placeholder, runner } from './suite.js';

describe('file-sync (sync, stats): planted secrets are never printed nor stored', () => {
  it('success and failure paths, config / env / *_FILE / URL credentials', async () => {
    const ws = await FILE_SYNC.workspace();
    const planted = new Planted();
    const urlPassword = planted.plant('sync-url-pw'); // literal userinfo of the ping URL in the config
    const token = planted.plant('sync-token'); // ${SUITE_TOKEN} in the ping path
    const fileSecret = planted.plant('sync-file', '+.~'); // ${SYNC_PASSWORD} from SYNC_PASSWORD_FILE, as userinfo
    const keySecret = planted.plant('sync-key'); // literal under a secret-looking, unknown key
    const envPing = planted.plant('sync-env-ping'); // TEMPERED_PING, declared secret by TEMPERED_SECRET_VARS
    planted.basic('ops', urlPassword);

    const ok = await startRecordingServer(200);
    const failing = await startRecordingServer(500);
    const dead = await deadUrl();
    const logFile = ws.path('log.jsonl');
    const secretFile = await ws.writeFile('secrets/sync_password', `${fileSecret}\n`);
    await ws.writeFile('src/index.html', '<h1>hello</h1>\n');
    await ws.writeFile('src/assets/app.js', 'console.log(1);\n');
    const ping = (base: string, password: string) =>
      `${base.replace('://', `://ops:${password}@`)}/hc/${placeholder('SUITE_TOKEN')}`;
    const section = { source: ws.path('src'), destination: ws.path('dst') };
    const good = await ws.writeConfig('good.json', { ping: ping(ok.url, urlPassword), 'file-sync': section });
    const fromFile = await ws.writeConfig('from-file.json', {
      ping: ping(ok.url, placeholder('SYNC_PASSWORD')),
      'file-sync': { ...section, destination: ws.path('dst2') },
    });
    const failingPing = await ws.writeConfig('failing.json', {
      ping: ping(failing.url, urlPassword),
      'file-sync': { ...section, source: ws.path('missing') },
    });
    const deadPing = await ws.writeConfig('dead.json', {
      ping: ping(dead, placeholder('SYNC_PASSWORD')),
      'file-sync': section,
    });
    const badKey = await ws.writeConfig('bad-key.json', {
      ping: ping(ok.url, urlPassword),
      'file-sync': { ...section, accessToken: keySecret, destinaton: 'x' },
    });
    const { runs, run } = runner(ws, logFile, { SUITE_TOKEN: token, SYNC_PASSWORD_FILE: secretFile });

    const codes = [
      (await run('sync', ['sync', '--config', good])).code,
      (await run('sync again --json', ['sync', '--config', good, '--json'])).code,
      (await run('sync --dry-run, *_FILE', ['sync', '--config', fromFile, '--dry-run', '--json'])).code,
      (await run('sync, *_FILE', ['sync', '--config', fromFile])).code,
      (await run('sync missing source + ping 500', ['sync', '--config', failingPing, '--json'])).code,
      (await run('sync, dead ping', ['sync', '--config', deadPing])).code,
      (await run('sync, bad key', ['sync', '--config', badKey, '--json'])).code,
      (
        await run('sync, TEMPERED_PING', ['sync', ws.path('src'), ws.path('dst3')], {
          TEMPERED_PING: `${ok.url}/hc/${envPing}`,
          TEMPERED_SECRET_VARS: 'TEMPERED_PING',
        })
      ).code,
      (await run('stats', ['stats', '--config', good])).code,
      (await run('stats --json', ['stats', '--config', fromFile, '--json'])).code,
    ];

    const failed = runs.filter((r) => r.result.code !== 0).map((r) => `${r.name}: ${describeRun(r.result)}`);
    expect(
      codes.map((code) => code !== 0),
      failed.join('\n'),
    ).toEqual([false, false, false, false, true, false, true, false, false, false]);
    expect(ok.received.some((r) => r.url.includes(token))).toBe(true);
    expect(ok.received.some((r) => r.url.includes(envPing))).toBe(true);
    expect(failing.received.length).toBeGreaterThan(0);

    const files = await expectNoLeaks(planted, runs, logFile, [ws.stateHome]);
    expect(files).toBeGreaterThan(3);
  });
});
