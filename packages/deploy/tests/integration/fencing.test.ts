import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { findPostgresBin, messages, type PostgresCluster, startPostgres } from '@tempered/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { currentOf, makeApp, releaseLog, targetOf, workspace, writeDeployConfig } from './helpers.js';

const postgres = await findPostgresBin();

// the run lock's fencing token reaches the target only on the PostgreSQL backend (file locks have none)
describe.skipIf(!postgres)('fencing token at the target (state on PostgreSQL)', () => {
  let cluster: PostgresCluster;
  beforeAll(async () => {
    cluster = await startPostgres();
  });
  afterAll(() => cluster?.stop());

  it('each switch records the run lock token; a run holding a lower token than the recorded one is refused and current stays', async () => {
    const ws = await workspace();
    const env = { TEMPERED_STATE_URL: cluster.url, TEMPERED_STATE_SCHEMA: `fence_${process.pid}` };
    const config = await writeDeployConfig(ws);
    const [a, b, c] = [await makeApp(ws, 'a'), await makeApp(ws, 'b'), await makeApp(ws, 'c')];

    const first = await ws.run(['release', a, '--version', 'a', '--config', config], { env });
    expect(first.code, first.stderr).toBe(0);
    const afterFirst = await releaseLog(ws);
    const firstToken = afterFirst.switchFence;
    expect(firstToken).toMatch(/^\d+$/);
    expect(afterFirst.releases.find((r) => r.id === 'a')?.switchFence).toBe(firstToken);

    const second = await ws.run(['release', b, '--version', 'b', '--config', config], { env });
    expect(second.code, second.stderr).toBe(0);
    const secondToken = (await releaseLog(ws)).switchFence;
    expect(BigInt(secondToken ?? '0')).toBeGreaterThan(BigInt(firstToken ?? '0'));

    // a later run (from another host's lease table view) switched with a far higher token: this
    // run's fresh token is lower, as an older run's that lost its lease would be
    const log = await releaseLog(ws);
    await writeFile(
      join(targetOf(ws), 'release-log.json'),
      `${JSON.stringify({ ...log, switchFence: '999999999999' })}\n`,
    );
    const fenced = await ws.run(['release', c, '--version', 'c', '--config', config, '--json'], { env });
    // a temporary failure (75), as for a lost lease: the run stops before its next side effect
    expect(fenced.code, fenced.stderr).toBe(75);
    expect(JSON.parse(fenced.stdout).error).toMatchObject({
      name: 'FencedSwitchError',
      code: 'E_FENCED',
      exitCode: 75,
      message: expect.stringMatching(
        /^refusing to switch to c: this run's lock token \d+ is older than 999999999999/,
      ),
    });
    const refusal = fenced.logs.find((l) => l.msg === 'action failed');
    expect(refusal?.err).toMatchObject({ code: 'E_FENCED', exitCode: 75 });
    expect(JSON.stringify(refusal?.err)).toContain('refusing to switch to c');
    expect(JSON.stringify(fenced.logs)).not.toContain('SIGTERM');
    expect(fenced.logs.filter((l) => l.msg === 'switched current')).toEqual([]);
    expect(await currentOf(ws)).toBe('releases/b');

    // once the later run's switch is gone from the log, a later run resumes from the journal:
    // the release the refused run created is not made again
    await writeFile(
      join(targetOf(ws), 'release-log.json'),
      `${JSON.stringify({ ...(await releaseLog(ws)), switchFence: secondToken })}\n`,
    );
    const resumed = await ws.run(['release', c, '--version', 'c', '--config', config], { env });
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(messages(resumed)).toContain('resuming an interrupted run from its journal');
    expect(messages(resumed)).not.toContain('release created');
    expect(await currentOf(ws)).toBe('releases/c');
  });
});
