// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${VAR} placeholders are the config syntax under test
/**
 * Issue 16: a plan saved by `--dry-run --plan-out` is applied by `deploy apply FILE` exactly as
 * reviewed, and refused (exit 2, nothing applied) when the target, the artifact or the config
 * changed since, when it is too old, or when another CLI made it.
 */
import { readFile, stat, writeFile } from 'node:fs/promises';
import { stateOf } from '@tempered/testkit';
import { describe, expect, it } from 'vitest';
import {
  currentOf,
  errorLine,
  makeApp,
  releaseOk,
  releasesOf,
  workspace,
  writeDeployConfig,
} from './helpers.js';

const TOKEN = 'deploy-token-5e6f7a8b9c';

describe('deploy: a saved plan', () => {
  it('applies the reviewed release, then refuses the same file once the target moved on', async () => {
    const ws = await workspace();
    // the hook quotes a secret through the config: the plan file must not hold its value
    const config = await writeDeployConfig(ws, { hooks: { afterSwitch: ['test -n "${DEPLOY_TOKEN}"'] } });
    const env = { DEPLOY_TOKEN: TOKEN };
    const app = await makeApp(ws, 'v1');
    const planFile = ws.path('release.plan');

    const dry = await ws.run(
      ['release', app, '--version', 'v1', '--config', config, '--dry-run', '--plan-out', planFile],
      { env },
    );
    expect(dry.code, dry.stderr).toBe(0);
    expect(await releasesOf(ws)).toEqual([]);
    expect((await stat(planFile)).mode & 0o777).toBe(0o600);
    const text = await readFile(planFile, 'utf8');
    expect(text).not.toContain(TOKEN);
    const saved = JSON.parse(text);
    expect(saved).toMatchObject({ format: 'tempered-plan/1', cli: 'deploy', command: 'release' });
    expect(saved.facts.current).toBe('(none)');

    const applied = await ws.run(['apply', planFile], { env });
    expect(applied.code, applied.stderr).toBe(0);
    expect(applied.stdout).toContain('Released v1');
    expect(await currentOf(ws)).toBe('releases/v1');
    // recorded as the job it applied, so its history and metrics are the release's
    expect((await stateOf(ws).runRecords()).map((r) => [r.command, r.status])).toEqual([
      ['release', 'dry-run'],
      ['release', 'success'],
    ]);
    // the plan ran with the ids it was reviewed with
    const ids = saved.plan.actions.map((a: { id: string }) => a.id);
    expect(applied.logs.filter((l) => l.msg === 'applying a saved plan')).toHaveLength(1);
    expect(ids.some((id: string) => id.startsWith('create:v1@'))).toBe(true);

    // the plan's own effect is drift: a second apply of the same file changes nothing
    const again = await ws.run(['apply', planFile], { env });
    expect(again.code).toBe(2);
    expect(errorLine(again)?.msg).toMatch(
      /the world changed since the plan.*changed: current \(\(none\) -> v1\)/,
    );
  });

  it('refuses when another release went live, the artifact changed or the config changed', async () => {
    const ws = await workspace();
    const config = await writeDeployConfig(ws);
    await releaseOk(ws, 'v1', config);
    const v2 = await makeApp(ws, 'v2');
    const planFile = ws.path('v2.plan');
    const dry = await ws.run([
      'release',
      v2,
      '--version',
      'v2',
      '--config',
      config,
      '--dry-run',
      '--plan-out',
      planFile,
    ]);
    expect(dry.code, dry.stderr).toBe(0);

    // the artifact was rebuilt after review
    await writeFile(`${v2}/version`, 'v2 rebuilt\n');
    const rebuilt = await ws.run(['apply', planFile]);
    expect(rebuilt.code).toBe(2);
    expect(errorLine(rebuilt)?.msg).toContain('changed: artifact');
    await writeFile(`${v2}/version`, 'v2\n');

    // another release went live meanwhile
    await releaseOk(ws, 'v3', config);
    const moved = await ws.run(['apply', planFile]);
    expect(moved.code).toBe(2);
    expect(errorLine(moved)?.msg).toContain('changed: current (v1 -> v3)');
    expect(errorLine(moved)?.msg).toContain('nothing was applied');
    expect(await currentOf(ws)).toBe('releases/v3');
    expect(await releasesOf(ws)).toEqual(['v1', 'v3']);

    // a fresh plan, then the config changes under it
    const fresh = await ws.run([
      'release',
      v2,
      '--version',
      'v2',
      '--config',
      config,
      '--dry-run',
      '--plan-out',
      planFile,
    ]);
    expect(fresh.code, fresh.stderr).toBe(0);
    const parsed = JSON.parse(await readFile(config, 'utf8'));
    await writeFile(config, JSON.stringify({ ...parsed, deploy: { ...parsed.deploy, keepReleases: 3 } }));
    const reconfigured = await ws.run(['apply', planFile]);
    expect(reconfigured.code).toBe(2);
    expect(errorLine(reconfigured)?.msg).toContain('changed: the config file');
    expect(await currentOf(ws)).toBe('releases/v3');
  });

  it('refuses a plan made by another CLI, an old plan and a file that is not a plan', async () => {
    const ws = await workspace();
    const config = await writeDeployConfig(ws);
    const planFile = ws.path('p.plan');
    const dry = await ws.run([
      'release',
      await makeApp(ws, 'v1'),
      '--config',
      config,
      '--dry-run',
      '--plan-out',
      planFile,
    ]);
    expect(dry.code, dry.stderr).toBe(0);
    const saved = JSON.parse(await readFile(planFile, 'utf8'));

    await writeFile(planFile, JSON.stringify({ ...saved, cli: 'file-sync' }));
    const foreign = await ws.run(['apply', planFile]);
    expect(foreign.code).toBe(2);
    expect(errorLine(foreign)?.msg).toContain('was made by file-sync, not deploy');

    const old = new Date(Date.now() - 25 * 3600 * 1000).toISOString();
    await writeFile(planFile, JSON.stringify({ ...saved, createdAt: old }));
    const stale = await ws.run(['apply', planFile]);
    expect(stale.code).toBe(2);
    expect(errorLine(stale)?.msg).toContain('over 24 hours ago');

    await writeFile(planFile, 'not json');
    const garbage = await ws.run(['apply', planFile]);
    expect(garbage.code).toBe(2);
    expect(errorLine(garbage)?.msg).toContain('is not a saved plan');
    expect(await releasesOf(ws)).toEqual([]);
  });
});
