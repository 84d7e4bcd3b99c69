import { deadUrl, startRecordingServer } from '@tempered/testkit';
import { describe, expect, it } from 'vitest';
import { DEMO, describeRun, expectNoLeaks, Planted, placeholder, runner } from './suite.js';

describe('tempered-demo (apply, stats): planted secrets are never printed nor stored', () => {
  it('success and failure paths, config / env / *_FILE / URL credentials', async () => {
    const ws = await DEMO.workspace();
    const planted = new Planted();
    const urlPassword = planted.plant('demo-url-pw'); // literal userinfo of the ping URL in the config
    const token = planted.plant('demo-token'); // ${SUITE_TOKEN}: a secret-looking variable
    const fileSecret = planted.plant('demo-file', ' /+&=%'); // ${DEMO_PASSWORD} from DEMO_PASSWORD_FILE
    const keySecret = planted.plant('demo-key'); // literal under a secret-looking (and unknown) key
    const envPing = planted.plant('demo-env-ping'); // TEMPERED_PING, declared secret by TEMPERED_SECRET_VARS
    planted.basic('ops', urlPassword);

    const ok = await startRecordingServer(200);
    const failing = await startRecordingServer(500);
    const dead = await deadUrl();
    const logFile = ws.path('log.jsonl');
    const secretFile = await ws.writeFile('secrets/demo_password', `${fileSecret}\n`);
    const ping = (base: string) =>
      `${base.replace('://', `://ops:${urlPassword}@`)}/hc/${placeholder('SUITE_TOKEN')}`;
    const section = { files: { 'motd.txt': `${placeholder('DEMO_PASSWORD')}\n`, 'plain.txt': 'plain\n' } };
    const good = await ws.writeConfig('good.json', { ping: ping(ok.url), 'tempered-demo': section });
    const failingPing = await ws.writeConfig('failing.json', {
      ping: ping(failing.url),
      'tempered-demo': { ...section, failOn: ['motd.txt'] },
    });
    const deadPing = await ws.writeConfig('dead.json', { ping: ping(dead), 'tempered-demo': section });
    const badKey = await ws.writeConfig('bad-key.json', {
      ping: ping(ok.url),
      'tempered-demo': { ...section, apiToken: keySecret, tagret: 'x' },
    });
    const { runs, run } = runner(ws, logFile, { SUITE_TOKEN: token, DEMO_PASSWORD_FILE: secretFile });

    const codes = [
      (await run('apply', ['apply', ws.path('out1'), '--config', good])).code,
      (
        await run('apply --dry-run --json', [
          'apply',
          ws.path('out2'),
          '--config',
          good,
          '--dry-run',
          '--json',
        ])
      ).code,
      (await run('apply failing + ping 500', ['apply', ws.path('out3'), '--config', failingPing, '--json']))
        .code,
      (await run('apply, dead ping', ['apply', ws.path('out4'), '--config', deadPing])).code,
      (await run('apply, bad key', ['apply', ws.path('out5'), '--config', badKey, '--json'])).code,
      (
        await run('apply, TEMPERED_PING', ['apply', ws.path('out6')], {
          TEMPERED_PING: `${ok.url}/hc/${envPing}`,
          TEMPERED_SECRET_VARS: 'TEMPERED_PING',
        })
      ).code,
      (await run('stats', ['stats', '--config', good])).code,
      (await run('stats --json', ['stats', '--config', good, '--json'])).code,
      (await run('stats, bad key', ['stats', '--config', badKey, '--json'])).code,
    ];

    // the runs did what they should, so every planted value was really used
    expect(codes, runs.map((r) => `${r.name}: ${describeRun(r.result)}`).join('\n')).toEqual([
      0,
      0,
      3,
      0,
      2,
      0,
      0,
      0,
      0, // stats does not read the CLI's section: the bad key is not an error there
    ]);
    expect(ok.received.some((r) => r.url.includes(token))).toBe(true);
    expect(ok.received.some((r) => r.url.includes(envPing))).toBe(true);
    expect(failing.received.length).toBeGreaterThan(0);

    const files = await expectNoLeaks(planted, runs, logFile, [ws.stateHome]);
    expect(files).toBeGreaterThan(3);
  });
});
