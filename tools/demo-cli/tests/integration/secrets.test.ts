import { readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { type CliResult, startRecordingServer, walk } from '@tempered/testkit';
import { describe, expect, it } from 'vitest';
import { workspace } from './helpers.js';

// distinct, greppable values; none of them may ever be printed or stored by the CLI (file names
// here are not secret-looking, so each value is caught by the mechanism named, not by its key)
const URL_PASSWORD = 'PLANTED-url-pw-4d1e'; // userinfo of the ping URL, literal in the config file
const PING_TOKEN = 'PLANTED-ping-token-8a2c'; // ${PING_TOKEN}: a secret-looking variable name
const FILE_SECRET = 'PLANTED-file-secret-77b0'; // ${DEMO_PASSWORD} from DEMO_PASSWORD_FILE
const LOCK_SECRET = 'PLANTED-lock-secret-3f9d'; // ${LOCK_SECRET}: a bad value, so it lands in an error
const ENV_PING_TOKEN = 'PLANTED-env-ping-c0de'; // TEMPERED_PING, declared secret by TEMPERED_SECRET_VARS
const BASIC = Buffer.from(`ops:${URL_PASSWORD}`).toString('base64'); // what goes on the wire

const PLANTED = [URL_PASSWORD, PING_TOKEN, FILE_SECRET, LOCK_SECRET, ENV_PING_TOKEN, BASIC];

/** `${NAME}`: a config placeholder, resolved by the CLI from its environment. */
const placeholder = (name: string) => `\${${name}}`;

function leaks(text: string): string[] {
  return PLANTED.filter((secret) => text.includes(secret));
}

describe('secrets never leak', () => {
  it('from config, env vars, *_FILE and URL credentials: not in stdout, stderr, the log file or the state dir', async () => {
    const ws = await workspace();
    const ok = await startRecordingServer(200);
    const failing = await startRecordingServer(500);
    const logFile = ws.path('logs', 'demo.log');
    const metricsFile = ws.path('demo.prom');
    const secretFile = await ws.writeFile('secrets/demo_password', `${FILE_SECRET}\n`);
    const pingOf = (server: { port: number }) =>
      `http://ops:${URL_PASSWORD}@127.0.0.1:${server.port}/hc/${placeholder('PING_TOKEN')}`;
    const section = { files: { 'motd.txt': `${placeholder('DEMO_PASSWORD')}\n`, 'plain.txt': 'plain\n' } };
    const good = await ws.writeConfig('good.json', {
      ping: pingOf(ok),
      metricsFile,
      'tempered-demo': section,
    });
    const bad = await ws.writeConfig('bad.json', {
      ping: pingOf(failing),
      metricsFile,
      'tempered-demo': { ...section, failOn: ['motd.txt'] },
    });
    const invalid = await ws.writeConfig('invalid.json', {
      lockWait: placeholder('LOCK_SECRET'),
      'tempered-demo': section,
    });
    const env = { PING_TOKEN, DEMO_PASSWORD_FILE: secretFile, LOCK_SECRET };
    const results: [string, CliResult][] = [];
    const run = async (
      name: string,
      args: string[],
      extraEnv: Record<string, string> = {},
      level = 'debug',
    ) => {
      const result = await ws.run([...args, '--log-level', level, '--log-file', logFile], {
        env: { ...env, ...extraEnv },
      });
      results.push([name, result]);
      return result;
    };

    // success, dry-run (the plan carries the secret file's content), failure with a failing
    // heartbeat, a config error quoting the bad value, and a secret ping URL from TEMPERED_PING
    const applied = await run('apply', ['apply', ws.path('out'), '--config', good]);
    const dry = await run('dry-run', ['apply', ws.path('dry'), '--config', good, '--dry-run', '--json']);
    const failed = await run('partial', ['apply', ws.path('out2'), '--config', bad, '--json']);
    const broken = await run('config error', ['apply', ws.path('out3'), '--config', invalid, '--json']);
    const fromEnv = await run(
      'TEMPERED_PING',
      ['apply', ws.path('out4')],
      { TEMPERED_PING: `${ok.url}/hc/${ENV_PING_TOKEN}`, TEMPERED_SECRET_VARS: 'TEMPERED_PING' },
      'trace', // also the request and response headers
    );

    // the runs did what they should, so every secret was really used...
    expect([applied.code, dry.code, failed.code, broken.code, fromEnv.code]).toEqual([0, 0, 3, 2, 0]);
    expect(await readFile(join(ws.path('out'), 'motd.txt'), 'utf8')).toBe(`${FILE_SECRET}\n`);
    // issue 16: healthchecks.io's /<exit code> (was <url> and <url>/fail), with ?rid= beside
    expect(ok.received.map((r) => r.path)).toEqual([
      `/hc/${PING_TOKEN}/start`,
      `/hc/${PING_TOKEN}/0`,
      `/hc/${ENV_PING_TOKEN}/start`,
      `/hc/${ENV_PING_TOKEN}/0`,
    ]);
    expect(ok.received[0]?.headers.authorization).toBe(`Basic ${BASIC}`);
    expect(failing.received.map((r) => r.path)).toEqual([`/hc/${PING_TOKEN}/start`, `/hc/${PING_TOKEN}/3`]);
    expect(JSON.parse(broken.stdout).error.message).toBe(
      `${invalid}: lockWait: expected a duration like 30s, 5m or 2h, or a number of milliseconds, got "[REDACTED]"`,
    );
    const plan = JSON.parse(dry.stdout).result.plan;
    expect(plan.actions.find((a: { target: string }) => a.target === 'motd.txt').details.content).toBe(
      '[REDACTED]\n',
    );

    // ...and redacted wherever they would have shown
    const log = await readFile(logFile, 'utf8');
    expect(log).toContain(`"ping":"http://[REDACTED]@127.0.0.1:${ok.port}/hc/[REDACTED]"`);
    expect(log).toContain(`heartbeat ping failed; the run is not affected`);

    // Assess: no planted value anywhere
    for (const [name, result] of results) {
      expect([name, 'stdout', leaks(result.stdout)]).toEqual([name, 'stdout', []]);
      expect([name, 'stderr', leaks(result.stderr)]).toEqual([name, 'stderr', []]);
    }
    expect(leaks(log)).toEqual([]);
    // the closing pings carry the log's tail as their body
    const bodies = [...ok.received, ...failing.received].map((r) => r.body);
    expect(bodies.filter((body) => body.includes('run finished'))).toHaveLength(3);
    expect(leaks(bodies.join('\n'))).toEqual([]);
    expect(leaks(await readFile(metricsFile, 'utf8'))).toEqual([]);
    const stored = (await walk(ws.stateHome)).filter((e) => !e.isDirectory);
    expect(stored.length).toBeGreaterThan(5);
    for (const entry of stored) {
      const name = relative(ws.stateHome, entry.path);
      expect([name, leaks(name)]).toEqual([name, []]);
      expect([name, leaks(await readFile(entry.path, 'utf8'))]).toEqual([name, []]);
    }
  });
});
