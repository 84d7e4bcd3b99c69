/**
 * Heartbeat pings (healthchecks.io protocol) and per-job metrics through the built CLI: a
 * healthchecks-style server started by the test records every ping (method, path, query, body).
 */
import { mkdir, readdir, readFile } from 'node:fs/promises';
import { type FaultRequest, type FaultServer, startFaultServer } from '@tempered/testkit';
import { describe, expect, it } from 'vitest';
import { workspace } from './helpers.js';
import { makeTree } from './trees.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const SECRET = 'PLANTED-hc-token-5e7a';

/** A ping as healthchecks reads it: `/hc/<event>` and its run id. */
function ping(request: FaultRequest) {
  const url = new URL(request.url, 'http://x');
  return {
    method: request.method,
    event: url.pathname.replace(/^\/hc\/[^/]+\//, ''),
    rid: url.searchParams.get('rid'),
    body: request.body,
  };
}

/** A healthchecks-style server: every ping answered 200 OK, recorded. */
function healthchecks(): Promise<FaultServer> {
  return startFaultServer([], { fallback: { status: 200, body: 'OK' } });
}

describe('heartbeat pings (healthchecks.io)', () => {
  it('a successful run: /start?rid=X, then /0?rid=X with the tail of its log, redacted', async () => {
    const ws = await workspace();
    const server = await healthchecks();
    const src = ws.path('src');
    await makeTree(src, { 'a.txt': 'a\n', 'b/c.txt': 'c\n' });
    const config = await ws.writeConfig('tempered.json', { ping: `${server.url}/hc/\${HC_TOKEN}` });

    const run = await ws.run(['sync', src, ws.path('dst'), '--config', config], {
      env: { HC_TOKEN: SECRET },
    });

    expect(run.code).toBe(0);
    const pings = server.received.map(ping);
    expect(pings.map((p) => `${p.method} ${p.event}`)).toEqual(['POST start', 'POST 0']);
    const [start, end] = pings;
    expect(start?.rid).toMatch(UUID);
    expect(end?.rid).toBe(start?.rid);
    expect(server.received[0]?.path).toBe(`/hc/${SECRET}/start`);
    // the run logs its ping id, so a ping in the monitor leads to the run's log lines
    expect(run.logs.find((line) => line.msg === 'run started')?.ping_rid).toBe(start?.rid);
    expect(start?.body).toBe('');
    // the body is the log's tail in the human format, ending with how the run ended
    const body = end?.body ?? '';
    expect(body).toMatch(/^\d\d:\d\d:\d\d INFO {2}run started /);
    expect(body.trimEnd().split('\n').at(-1)).toMatch(/ INFO {2}run finished status=success exit_code=0 /);
    expect(Buffer.byteLength(body)).toBeLessThanOrEqual(10 * 1024);
    expect(body).not.toContain(SECRET);
    expect(body).toContain('[REDACTED]');
  });

  it('a partial run ends with /3 and the failure in the body; a dry-run pings nothing', async () => {
    const ws = await workspace();
    const server = await healthchecks();
    const src = ws.path('src');
    const dst = ws.path('dst');
    await makeTree(src, { 'a.txt': 'a\n', blocked: 'a file in the source\n' });
    await makeTree(dst, { 'blocked/inside.txt': 'a directory in the destination\n' });
    const config = await ws.writeConfig('tempered.json', { ping: `${server.url}/hc/job` });

    expect((await ws.run(['sync', src, dst, '--config', config, '--dry-run'])).code).toBe(0);
    expect(server.received).toEqual([]);

    const run = await ws.run(['sync', src, dst, '--config', config]);

    expect(run.code).toBe(3);
    const pings = server.received.map(ping);
    expect(pings.map((p) => p.event)).toEqual(['start', '3']);
    expect(pings[1]?.rid).toBe(pings[0]?.rid);
    expect(pings[1]?.body).toContain('a non-empty directory in the destination');
    expect(pings[1]?.body).toMatch(/run finished status=partial exit_code=3/);
  });

  it('a run that finds the lock held (75) sends /log, which leaves the check as it is', async () => {
    const ws = await workspace();
    const src = ws.path('src');
    const dst = ws.path('dst');
    await makeTree(src, { 'a.txt': 'a\n' });
    // the first run's /start is held until the second run is done: the first holds the lock then
    let release = () => {};
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    let held = false;
    const server = await startFaultServer([], {
      fallback: async (request) => {
        if (!held && request.path.endsWith('/start')) {
          held = true;
          await released;
        }
        return { status: 200, body: 'OK' };
      },
    });
    const config = await ws.writeConfig('tempered.json', { ping: `${server.url}/hc/job` });
    const first = ws.start(['sync', src, dst, '--config', config]);
    while (!held) await new Promise((resolve) => setTimeout(resolve, 20));

    const second = await ws.run(['sync', src, dst, '--config', config]);
    release();
    const done = await first.exit;

    expect(second.code).toBe(75);
    expect(done.code).toBe(0);
    const pings = server.received.map(ping);
    const log = pings.filter((p) => p.event === 'log');
    expect(log).toHaveLength(1);
    expect(log[0]?.rid).toMatch(UUID);
    expect(log[0]?.body).toMatch(/lock/);
    // the first run's own start and end, paired by their id
    const firstRun = pings.filter((p) => p.event !== 'log');
    expect(firstRun.map((p) => p.event)).toEqual(['start', '0']);
    expect(firstRun[1]?.rid).toBe(firstRun[0]?.rid);
    expect(firstRun[0]?.rid).not.toBe(log[0]?.rid);
  });

  it('a bad flag still sends its failure ping (/2), with the ping URL from the config it would have read', async () => {
    const ws = await workspace();
    const server = await healthchecks();
    const src = ws.path('src');
    await makeTree(src, { 'a.txt': 'a\n' });
    const config = await ws.writeConfig('jobs.json', {
      ping: `${server.url}/hc/top`,
      environments: { staging: {}, prod: { ping: `${server.url}/hc/prod` } },
    });

    const bad = await ws.run([
      'sync',
      src,
      ws.path('dst'),
      '--concurrency',
      'abc',
      '--config',
      config,
      '-e',
      'prod',
    ]);
    // found as ./tempered.json, with the environment from TEMPERED_ENVIRONMENT
    await ws.writeConfig('tempered.json', { ping: `${server.url}/hc/local`, environments: { ci: {} } });
    const local = await ws.run(['sync', src, ws.path('dst'), '--concurrency', 'abc'], {
      env: { TEMPERED_ENVIRONMENT: 'ci' },
    });
    // never for a dry-run
    const dry = await ws.run(['sync', src, ws.path('dst'), '--concurrency', 'abc', '--dry-run']);

    expect([bad.code, local.code, dry.code]).toEqual([2, 2, 2]);
    expect(server.received.map((r) => `${r.method} ${r.path}`)).toEqual([
      'POST /hc/prod/2',
      'POST /hc/local/2',
    ]);
    const first = server.received.map(ping)[0];
    expect(first?.rid).toMatch(UUID);
    expect(first?.body).toMatch(/ERROR .*--concurrency/);
  });
});

describe('metrics textfile per job', () => {
  it('writes tempered_file_sync_sync[_<env>].prom in metricsDir, counters adding up, never on a dry-run', async () => {
    const ws = await workspace();
    const src = ws.path('src');
    const metricsDir = ws.path('textfile');
    await makeTree(src, { 'a.txt': 'aaaa\n', 'b.txt': 'bb\n' });
    const config = await ws.writeConfig('tempered.json', {
      metricsDir,
      environments: { staging: {}, prod: {} },
    });
    await mkdir(metricsDir);

    expect(
      (await ws.run(['sync', src, ws.path('s'), '--config', config, '-e', 'staging', '--dry-run'])).code,
    ).toBe(0);
    expect(await readdir(metricsDir)).toEqual([]);
    expect((await ws.run(['sync', src, ws.path('s'), '--config', config, '-e', 'staging'])).code).toBe(0);
    expect((await ws.run(['sync', src, ws.path('p'), '--config', config, '-e', 'prod'])).code).toBe(0);
    await makeTree(src, { 'c.txt': 'c\n' });
    expect((await ws.run(['sync', src, ws.path('p'), '--config', config, '-e', 'prod'])).code).toBe(0);

    expect((await readdir(metricsDir)).sort()).toEqual([
      'tempered_file_sync_sync_prod.prom',
      'tempered_file_sync_sync_staging.prom',
    ]);
    const prod = await readFile(`${metricsDir}/tempered_file_sync_sync_prod.prom`, 'utf8');
    const labels = 'cli="file-sync",command="sync",environment="prod"';
    expect(prod).toContain(`\ntempered_runs_total{${labels},status="success"} 2\n`);
    expect(prod).toContain(`\ntempered_run_actions_total{${labels},kind="create"} 4\n`); // the destination root, a, b, then c
    expect(prod).toContain(`\ntempered_run_copied_bytes_total{${labels}} 10\n`);
    expect(prod).toMatch(new RegExp(`\\ntempered_run_duration_seconds\\{${labels}\\} \\d+\\.\\d{3}\\n`));
    for (const line of prod.trimEnd().split('\n')) {
      expect(line).toMatch(
        /^(# HELP [a-z_]+ .+|# TYPE [a-z_]+ (gauge|counter)|[a-z_]+\{[^}]*\} \d+(\.\d+)?)$/,
      );
    }
    // one unit per family: no byte count among the actions any more
    expect(prod).not.toMatch(/kind="bytes_copied"/);
    const staging = await readFile(`${metricsDir}/tempered_file_sync_sync_staging.prom`, 'utf8');
    expect(staging).toContain('environment="staging",status="success"} 1\n');
  });

  it('names the file without an environment for `default`, from TEMPERED_METRICS_DIR', async () => {
    const ws = await workspace();
    const src = ws.path('src');
    const metricsDir = ws.path('textfile');
    await makeTree(src, { 'a.txt': 'a\n' });
    await mkdir(metricsDir);

    const run = await ws.run(['sync', src, ws.path('dst')], { env: { TEMPERED_METRICS_DIR: metricsDir } });

    expect(run.code).toBe(0);
    expect(await readdir(metricsDir)).toEqual(['tempered_file_sync_sync.prom']);
  });
});
