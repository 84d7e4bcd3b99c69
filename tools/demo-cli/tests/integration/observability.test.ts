import { readFile } from 'node:fs/promises';
import { deadUrl, messages, modeOf, startRecordingServer, stateOf } from '@tempered/testkit';
import { describe, expect, it } from 'vitest';
import { workspace } from './helpers.js';

const LABELS = 'cli="tempered-demo",command="apply",environment="default"';
const FILES = { 'a.txt': 'A\n' };

describe('heartbeat pings', () => {
  // issue 16: healthchecks.io's protocol, /start?rid= then /<exit code>?rid= (was <url> and <url>/fail)
  it('a successful run pings <url>/start then <url>/0; a dry-run pings nothing', async () => {
    const ws = await workspace();
    const server = await startRecordingServer(200);
    const config = await ws.writeConfig('tempered.json', {
      ping: `${server.url}/hc/job-1`,
      'tempered-demo': { files: FILES },
    });

    const dry = await ws.run(['apply', ws.path('out'), '--config', config, '--dry-run']);
    expect(dry.code).toBe(0);
    expect(server.received).toEqual([]);

    const result = await ws.run(['apply', ws.path('out'), '--config', config, '--log-level', 'debug']);

    expect(result.code).toBe(0);
    expect(server.received.map((r) => `${r.method} ${r.path}`)).toEqual([
      'POST /hc/job-1/start',
      'POST /hc/job-1/0',
    ]);
    const sent = result.logs.filter((line) => line.msg === 'heartbeat sent').map((line) => line.event);
    expect(sent).toEqual(['start', 0]);
    // /start goes out before any change, the success ping after the last one
    const order = messages(result).filter((m) => ['heartbeat sent', 'file written'].includes(m));
    expect(order).toEqual(['heartbeat sent', 'file written', 'heartbeat sent']);
  });

  it('a failing run pings <url>/1', async () => {
    const ws = await workspace();
    const server = await startRecordingServer(200);
    const config = await ws.writeConfig('tempered.json', {
      ping: `${server.url}/hc/job-2/`,
      'tempered-demo': { files: FILES, failOn: ['a.txt'] },
    });

    const result = await ws.run(['apply', ws.path('out'), '--config', config]);

    expect(result.code).toBe(1);
    expect(server.received.map((r) => r.path)).toEqual(['/hc/job-2/start', '/hc/job-2/1']);
  });

  it('a run refused before it starts (protected, no --yes) pings <url>/2 at once; a dry-run does not', async () => {
    const ws = await workspace();
    const server = await startRecordingServer(200);
    const config = await ws.writeConfig('tempered.json', {
      ping: `${server.url}/hc/job-3`,
      environments: { prod: { protected: true, 'tempered-demo': { files: FILES } } },
    });

    const refused = await ws.run(['apply', ws.path('out'), '--config', config, '-e', 'prod']);
    const dry = await ws.run(['apply', ws.path('out'), '--config', config, '-e', 'prod', '--dry-run']);

    expect(refused.code).toBe(2);
    expect(dry.code).toBe(0);
    expect(server.received.map((r) => `${r.method} ${r.path}`)).toEqual(['POST /hc/job-3/2']);
  });

  it('a ping server that is down or failing changes nothing but a warning', async () => {
    const ws = await workspace();
    const down = await ws.writeConfig('down.json', {
      ping: `${await deadUrl()}/hc`,
      'tempered-demo': { files: FILES },
    });

    const result = await ws.run(['apply', ws.path('out'), '--config', down]);

    expect(result.code).toBe(0);
    expect(result.stdout).toBe('+ a.txt (applied)\nApplied 1 change(s).\n');
    const warnings = result.logs.filter(
      (line) => line.msg === 'heartbeat ping failed; the run is not affected',
    );
    expect(warnings.map((line) => [line.level, line.event])).toEqual([
      [40, 'start'],
      [40, 0],
    ]);
    expect((await stateOf(ws).runRecords()).map((r) => [r.status, r.exitCode])).toEqual([['success', 0]]);

    const server = await startRecordingServer(503);
    const failing = await ws.writeConfig('failing.json', {
      ping: `${server.url}/hc`,
      'tempered-demo': { files: FILES },
    });
    const again = await ws.run(['apply', ws.path('out2'), '--config', failing]);
    expect(again.code).toBe(0);
    // one attempt each, no retries: a monitoring outage must not slow the job down
    expect(server.received.map((r) => r.path)).toEqual(['/hc/start', '/hc/0']);
    expect(messages(again).filter((m) => m.startsWith('heartbeat ping failed'))).toHaveLength(2);
  });
});

describe('metrics textfile', () => {
  it('writes a 0644 Prometheus textfile with the outcome of the last run', async () => {
    const ws = await workspace();
    const metricsFile = ws.path('demo.prom');
    const ok = await ws.writeConfig('ok.json', { metricsFile, 'tempered-demo': { files: FILES } });
    const bad = await ws.writeConfig('bad.json', {
      metricsFile,
      'tempered-demo': { files: FILES, failOn: ['a.txt'] },
    });

    expect((await ws.run(['apply', ws.path('out'), '--config', ok])).code).toBe(0);
    const text = await readFile(metricsFile, 'utf8');
    expect(await modeOf(metricsFile)).toBe(0o644);
    expect(text).toContain('# TYPE tempered_run_success gauge\n');
    expect(text).toContain(`\ntempered_run_success{${LABELS}} 1\n`);
    expect(text).toContain(`\ntempered_run_exit_code{${LABELS}} 0\n`);
    // issue 16: counters are `_total`, one unit per family, the kind without its `actions_` prefix
    expect(text).toContain(`\ntempered_run_actions_total{${LABELS},kind="create"} 1\n`);
    expect(text).toMatch(new RegExp(`\\ntempered_run_duration_seconds\\{${LABELS}\\} \\d+\\.\\d{3}\\n`));
    for (const line of text.trimEnd().split('\n')) {
      expect(line).toMatch(/^(# (HELP|TYPE) \w+ .+|\w+\{[^}]*\} -?\d+(\.\d+)?)$/);
    }

    expect((await ws.run(['apply', ws.path('out2'), '--config', bad])).code).toBe(1);
    const after = await readFile(metricsFile, 'utf8');
    expect(after).toContain(`\ntempered_run_success{${LABELS}} 0\n`);
    expect(after).toContain(`\ntempered_run_exit_code{${LABELS}} 1\n`);
    expect(await modeOf(metricsFile)).toBe(0o644);

    // also from the environment, as cron sets it
    const fromEnv = ws.path('env.prom');
    expect((await ws.run(['apply', ws.path('out3')], { env: { TEMPERED_METRICS_FILE: fromEnv } })).code).toBe(
      0,
    );
    expect(await readFile(fromEnv, 'utf8')).toContain(`tempered_run_success{${LABELS}} 1\n`);
  });
});

describe('stats', () => {
  it('counts runs, successes and top failures from the run records', async () => {
    const ws = await workspace();
    const failing = await ws.writeConfig('failing.json', {
      'tempered-demo': { files: FILES, failOn: ['a.txt'] },
    });
    expect((await ws.run(['apply', ws.path('one')])).code).toBe(0);
    expect((await ws.run(['apply', ws.path('one')])).code).toBe(0); // a no-op counts as a success
    expect((await ws.run(['apply', ws.path('two'), '--config', failing])).code).toBe(1);

    const result = await ws.run(['stats', '--json']);

    expect(result.code).toBe(0);
    const doc = JSON.parse(result.stdout);
    expect(doc).toMatchObject({ status: 'success', warnings: [], result: { cli: 'tempered-demo' } });
    expect(doc.result.environments).toHaveLength(1);
    const [stats] = doc.result.environments;
    expect(stats).toMatchObject({
      environment: 'default',
      runs: 3,
      succeeded: 2,
      byStatus: { success: 1, noop: 1, failure: 1 },
      retries: 0,
      lastRun: { status: 'failure' },
    });
    expect(stats.successRate).toBeCloseTo(2 / 3, 5);
    expect(stats.topFailures).toEqual([
      {
        reason: expect.stringMatching(
          /^E_TEMPERED: all 1 actions failed \(first: write:a\.txt@[0-9a-f]+: refusing to write a\.txt \(failOn\)\)$/,
        ),
        count: 1,
      },
    ]);

    const human = await ws.run(['stats', '-e', 'default']);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(
      /^default: 3 runs, 66\.7% ok, mean [\d.]+m?s, p95 [\d.]+m?s, 0 retries\n {2}1x E_TEMPERED: all 1 actions failed/,
    );
    // stats reads; it records nothing itself
    expect(await stateOf(ws).runRecords()).toHaveLength(3);
  });

  it('without -e reports every environment found, even when the config names no default', async () => {
    const ws = await workspace();
    const config = await ws.writeConfig('tempered.json', {
      environments: {
        staging: { 'tempered-demo': { files: FILES } },
        prod: { 'tempered-demo': { files: FILES } },
      },
    });
    expect((await ws.run(['apply', ws.path('s'), '-e', 'staging'])).code).toBe(0);
    expect((await ws.run(['apply', ws.path('p'), '-e', 'prod'])).code).toBe(0);
    expect((await ws.run(['apply', ws.path('p'), '-e', 'prod'])).code).toBe(0);

    // ./tempered.json is found and defines environments without a default: stats still runs
    const all = await ws.run(['stats']);
    expect(all.code).toBe(0);
    expect(all.stdout).toMatch(/^prod: 2 runs, 100\.0% ok, .*\nstaging: 1 runs, 100\.0% ok, .*\n$/);

    const json = await ws.run(['stats', '--json', '--config', config]);
    expect(
      JSON.parse(json.stdout).result.environments.map((e: { environment: string; runs: number }) => [
        e.environment,
        e.runs,
      ]),
    ).toEqual([
      ['prod', 2],
      ['staging', 1],
    ]);

    const one = await ws.run(['stats', '--json', '-e', 'staging']);
    expect(
      JSON.parse(one.stdout).result.environments.map((e: { environment: string }) => e.environment),
    ).toEqual(['staging']);

    // apply still needs a selection with that config
    expect((await ws.run(['apply', ws.path('x')])).code).toBe(2);
  });
});
