// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${VAR} placeholders are the config syntax under test
/**
 * A saved plan (`plan --plan-out FILE`, `run --dry-run --plan-out FILE`) applied later with
 * `apply FILE`: exactly the saved deletions, and only while every listed resource is as it was.
 */
import { mkdirSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import bcrypt from 'bcryptjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Workspace, workspace } from './helpers.js';
import { planActions, registryConfig } from './registry/common.js';
import {
  daysAgo,
  NO_REGISTRY,
  pushImage,
  skipRegistry,
  startRegistry,
  type TestRegistry,
  tagsOf,
} from './registry/registry.js';

const DAY = 86_400_000;

/** builds/ with old a.tar.gz and b.tar.gz, a young one, and a rule deleting what is over 14 days. */
async function oldBuilds(): Promise<{ ws: Workspace; root: string; config: string }> {
  const ws = await workspace();
  const root = ws.path('builds');
  mkdirSync(root, { recursive: true });
  for (const [name, days] of [
    ['a.tar.gz', 40],
    ['b.tar.gz', 30],
    ['young.tar.gz', 1],
  ] as const) {
    writeFileSync(join(root, name), 'x');
    const when = new Date(Date.now() - days * DAY);
    utimesSync(join(root, name), when, when);
  }
  const config = await ws.writeConfig('tempered.json', {
    'resource-cleanup': {
      rules: [{ name: 'builds', path: 'builds', match: ['*.tar.gz'], olderThan: '14d' }],
    },
  });
  return { ws, root, config };
}

async function editPlan(file: string, edit: (plan: Record<string, unknown>) => void): Promise<void> {
  const plan = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
  edit(plan);
  await writeFile(file, JSON.stringify(plan));
}

function errorMessage(stderr: string): string {
  const line = stderr
    .trim()
    .split('\n')
    .map((text) => JSON.parse(text) as { level: number; msg: string })
    .find((entry) => entry.level === 50);
  return line?.msg ?? '';
}

describe('a saved plan of fs rules', () => {
  it('apply FILE deletes exactly the saved deletions; a second apply of the same file is refused as drift', async () => {
    const { ws, root, config } = await oldBuilds();
    const file = ws.path('cleanup.plan.json');

    const saved = await ws.run(['plan', '--config', config, '--plan-out', file, '--json']);
    expect(saved.code, saved.stderr).toBe(0);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect((await readdir(root)).sort()).toEqual(['a.tar.gz', 'b.tar.gz', 'young.tar.gz']);
    const planned = planActions(saved.stdout)
      .filter((action) => action.kind === 'delete')
      .map((action) => action.id);
    expect(planned.sort()).toEqual(['delete:builds:a.tar.gz', 'delete:builds:b.tar.gz']);

    const applied = await ws.run(['apply', file, '--yes', '--json']);

    expect(applied.code, applied.stderr).toBe(0);
    expect(await readdir(root)).toEqual(['young.tar.gz']);
    const result = JSON.parse(applied.stdout).result;
    expect(result.applied.outcomes.map((o: { id: string }) => o.id).sort()).toEqual(planned.sort());
    expect(result.cleanup.deleted).toBe(2);
    expect(result.cleanup.rules[0].kept).toBe(1);
    const audit = await readFile(join(ws.stateDir(), 'audit.jsonl'), 'utf8');
    expect(audit.trim().split('\n')).toHaveLength(4);

    // the plan's resources are gone now: what it was made from no longer holds, so it is refused
    const again = await ws.run(['apply', file, '--yes']);

    expect(again.code).toBe(2);
    expect(errorMessage(again.stderr)).toContain('gone: builds:a.tar.gz');
    expect(await readdir(root)).toEqual(['young.tar.gz']);
  });

  it('a file modified, or one deleted, since the plan: apply refuses (exit 2) naming it, and deletes nothing', async () => {
    const { ws, root, config } = await oldBuilds();
    const file = ws.path('cleanup.plan.json');
    const saved = await ws.run(['run', '--config', config, '--dry-run', '--plan-out', file]);
    expect(saved.code, saved.stderr).toBe(0);
    expect(saved.stdout).toMatch(/Plan: 2 to delete, 1 kept\./);

    const touched = new Date(Date.now() - 20 * DAY);
    utimesSync(join(root, 'a.tar.gz'), touched, touched);
    const modified = await ws.run(['apply', file, '--yes']);

    expect(modified.code).toBe(2);
    expect(errorMessage(modified.stderr)).toMatch(
      /^the world changed since the plan in ".*cleanup\.plan\.json" was made; nothing was applied: changed: builds:a\.tar\.gz \(file size=1 mtime=/,
    );
    expect((await readdir(root)).sort()).toEqual(['a.tar.gz', 'b.tar.gz', 'young.tar.gz']);

    const fresh = await ws.run(['plan', '--config', config, '--plan-out', file]);
    expect(fresh.code, fresh.stderr).toBe(0);
    await rm(join(root, 'young.tar.gz'));
    const deleted = await ws.run(['apply', file, '--yes']);

    expect(deleted.code).toBe(2);
    expect(errorMessage(deleted.stderr)).toContain('nothing was applied: gone: builds:young.tar.gz');
    expect((await readdir(root)).sort()).toEqual(['a.tar.gz', 'b.tar.gz']);
  });

  it('the deletion still needs --yes; the config file changing is drift', async () => {
    const { ws, root, config } = await oldBuilds();
    const file = ws.path('cleanup.plan.json');
    expect((await ws.run(['plan', '--config', config, '--plan-out', file])).code).toBe(0);

    const unconfirmed = await ws.run(['apply', file]);
    await writeFile(config, (await readFile(config, 'utf8')).replace('14d', '7d'));
    const reconfigured = await ws.run(['apply', file, '--yes']);

    expect(unconfirmed.code).toBe(2);
    expect(errorMessage(unconfirmed.stderr)).toMatch(/^refusing to delete 2 resources without --yes /);
    expect(reconfigured.code).toBe(2);
    expect(errorMessage(reconfigured.stderr)).toContain('changed: the config file');
    expect((await readdir(root)).sort()).toEqual(['a.tar.gz', 'b.tar.gz', 'young.tar.gz']);
  });

  it('a plan made by another CLI, or over 24 hours ago, is refused (exit 2) with nothing deleted', async () => {
    const { ws, root, config } = await oldBuilds();
    const file = ws.path('cleanup.plan.json');
    expect((await ws.run(['plan', '--config', config, '--plan-out', file])).code).toBe(0);
    const foreign = ws.path('foreign.plan.json');
    await writeFile(foreign, await readFile(file));
    await editPlan(foreign, (plan) => {
      plan.cli = 'file-sync';
    });
    const stale = ws.path('stale.plan.json');
    await writeFile(stale, await readFile(file));
    await editPlan(stale, (plan) => {
      plan.createdAt = new Date(Date.now() - 25 * 3_600_000).toISOString();
    });

    const other = await ws.run(['apply', foreign, '--yes']);
    const old = await ws.run(['apply', stale, '--yes']);

    expect(other.code).toBe(2);
    expect(errorMessage(other.stderr)).toContain(
      `the plan file ${JSON.stringify(foreign)} was made by file-sync, not resource-cleanup (hint: apply it with "file-sync apply")`,
    );
    expect(old.code).toBe(2);
    expect(errorMessage(old.stderr)).toMatch(/was made at .*, over 24 hours ago \(hint: make a fresh plan/);
    expect((await readdir(root)).sort()).toEqual(['a.tar.gz', 'b.tar.gz', 'young.tar.gz']);
  });
});

if (skipRegistry) console.warn(NO_REGISTRY);

const USER = 'ci';
const PASSWORD = 'pw-5d1c9e07-never-in-a-plan';
const BASIC = `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`;

describe.skipIf(skipRegistry)(
  'a saved plan of a registry rule, against a real registry with basic auth',
  () => {
    let registry: TestRegistry;

    beforeAll(async () => {
      registry = await startRegistry({ htpasswd: `${USER}:${bcrypt.hashSync(PASSWORD, 4)}\n` });
    });
    afterAll(async () => {
      await registry?.stop();
    });

    it('holds no credential; a tag pushed since the plan is drift (exit 2, nothing deleted); a fresh plan applies', async () => {
      const { url } = registry;
      const push = (tags: string[], days: number) =>
        pushImage(url, 'p1/web', { tags, created: daysAgo(days), authorization: BASIC });
      const old = await push(['ci-1'], 30);
      await push(['ci-2'], 1);
      const ws = await workspace();
      const config = await registryConfig(ws, {
        url,
        repositories: ['p1/web'],
        tags: '^ci-',
        olderThan: '7d',
        auth: { username: USER, password: '${REGISTRY_PASSWORD}' },
      });
      const env = { env: { REGISTRY_PASSWORD: PASSWORD } };
      const file = ws.path('images.plan.json');

      const saved = await ws.run(['plan', '--config', config, '--plan-out', file], env);

      expect(saved.code, saved.stderr).toBe(0);
      const text = await readFile(file, 'utf8');
      expect(text).not.toContain(PASSWORD);
      expect(text).not.toContain(BASIC.slice('Basic '.length));
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(JSON.parse(text).facts).toMatchObject({
        'images:tag p1/web:ci-1': old,
        'images:tags p1/web': 'ci-1,ci-2',
      });

      await push(['ci-3'], 40);
      const drifted = await ws.run(['apply', file, '--yes'], env);

      expect(drifted.code).toBe(2);
      const message = errorMessage(drifted.stderr);
      expect(message).toContain('changed: images:tags p1/web (ci-1,ci-2 -> ci-1,ci-2,ci-3)');
      expect(message).toContain('new: images:tag p1/web:ci-3');
      expect(await tagsOf(url, 'p1/web', BASIC)).toEqual(['ci-1', 'ci-2', 'ci-3']);

      expect((await ws.run(['plan', '--config', config, '--plan-out', file], env)).code).toBe(0);
      const applied = await ws.run(['apply', file, '--yes'], env);

      expect(applied.code, applied.stderr).toBe(0);
      expect(await tagsOf(url, 'p1/web', BASIC)).toEqual(['ci-2']);
      expect(applied.stdout + applied.stderr).not.toContain(PASSWORD);
    });
  },
);
