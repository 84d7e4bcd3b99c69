import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { workspace } from './helpers.js';

describe('stats --by-host', () => {
  it('breaks the numbers down by the host recorded in each run record', async () => {
    const ws = await workspace();
    const src = ws.path('src');
    await mkdir(src, { recursive: true });
    await writeFile(join(src, 'a.txt'), 'a\n');
    // two real runs on this host (a sync, then a no-op)
    expect((await ws.run(['sync', src, ws.path('dst')])).code).toBe(0);
    expect((await ws.run(['sync', src, ws.path('dst')])).code).toBe(0);
    // a run record another host wrote into the same (shared) history: a failure on cron-b
    const runs = join(ws.stateDir(), 'runs');
    const [name] = (await readdir(runs)).sort();
    const record = JSON.parse(await readFile(join(runs, name ?? ''), 'utf8'));
    const runId = `${record.runId.slice(0, -6)}b0b0b0`;
    await writeFile(
      join(runs, (name ?? '').replace(record.runId, runId)),
      JSON.stringify({
        ...record,
        runId,
        host: 'cron-b',
        status: 'failure',
        exitCode: 1,
        failure: { code: 'E_TEMPERED', message: 'disk on fire' },
      }),
    );

    const json = await ws.run(['stats', '--by-host', '--json']);
    expect(json.code, json.stderr).toBe(0);
    const rows = JSON.parse(json.stdout).result.environments as {
      environment: string;
      host: string;
      runs: number;
      succeeded: number;
    }[];
    const expected = [
      { environment: 'default', host: 'cron-b', runs: 1, succeeded: 0 },
      { environment: 'default', host: hostname(), runs: 2, succeeded: 2 },
    ].sort((a, b) => a.host.localeCompare(b.host));
    expect(
      rows.map(({ environment, host, runs, succeeded }) => ({ environment, host, runs, succeeded })),
    ).toEqual(expected);

    const human = await ws.run(['stats', '--by-host']);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(
      /^default on cron-b: 1 runs, 0\.0% ok, .*\n {2}1x E_TEMPERED: disk on fire$/m,
    );
    expect(human.stdout).toContain(`default on ${hostname()}: 2 runs, 100.0% ok`);

    // without the flag: one line for the environment, every host together
    const together = await ws.run(['stats', '--json']);
    const [all] = JSON.parse(together.stdout).result.environments;
    expect(all).toMatchObject({ environment: 'default', runs: 3, succeeded: 2 });
    expect(all.host).toBeUndefined();
  });
});
