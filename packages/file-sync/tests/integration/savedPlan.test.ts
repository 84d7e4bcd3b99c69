import { mkdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startRecordingServer, stateOf, type Workspace } from '@tempered/testkit';
import { describe, expect, it } from 'vitest';
import { workspace } from './helpers.js';
import { expectSameTree, makeTree, PAST, snapshot } from './trees.js';

interface JsonAction {
  id: string;
}

/** A source of a few entries and a destination with one stale file, one extra, one in sync. */
async function twoTrees(ws: Workspace) {
  const src = ws.path('src');
  const dst = ws.path('dst');
  await makeTree(src, { 'docs/readme.md': '# hello\n', 'a.txt': 'a\n', 'same.txt': 'same\n' });
  await makeTree(dst, { 'a.txt': 'old a\n', 'same.txt': 'same\n', 'extra.txt': 'only here\n' });
  await utimes(src, PAST, PAST);
  await utimes(dst, PAST, PAST);
  return { src, dst };
}

/** A dry-run that saves its plan; the plan's actions as the dry-run printed them. */
async function savePlan(ws: Workspace, args: string[], file = ws.path('www.plan'), env = {}) {
  const dry = await ws.run(['sync', ...args, '--dry-run', '--plan-out', file, '--json'], { env });
  expect(dry.code, dry.stderr).toBe(0);
  const planned: JsonAction[] = JSON.parse(dry.stdout).result.plan.actions;
  return { file, planned };
}

function errorOf(result: { stdout: string }) {
  return JSON.parse(result.stdout).error as { code: string; exitCode: number; message: string };
}

describe('a saved plan: sync --dry-run --plan-out FILE, then apply FILE', () => {
  it('applies exactly the saved actions, from any directory; a second apply of the same file is refused as drift', async () => {
    const ws = await workspace();
    const { src, dst } = await twoTrees(ws);
    const before = await snapshot(dst, { withRoot: true });
    // relative paths: apply resolves them against the directory the plan was made in
    const { file, planned } = await savePlan(ws, ['src', 'dst', '--delete']);
    expect(planned.map((action) => action.id).sort()).toEqual([
      'copy:a.txt',
      'copy:docs/readme.md',
      expect.stringMatching(/^delete:extra\.txt@file:/),
      'mkdir:docs',
    ]);
    expect(await snapshot(dst, { withRoot: true })).toEqual(before);
    const elsewhere = ws.path('elsewhere');
    await mkdir(elsewhere);
    const applied = await ws.run(['apply', file, '--json'], { cwd: elsewhere });

    expect(applied.code, applied.stderr).toBe(0);
    const result = JSON.parse(applied.stdout).result;
    expect(result.applied.outcomes.map((o: JsonAction) => o.id).sort()).toEqual(
      planned.map((action) => action.id).sort(),
    );
    expect(result.sync).toMatchObject({ source: src, destination: dst, created: 2, updated: 1, deleted: 1 });
    expect(applied.logs.find((line) => line.msg === 'applying a saved plan')).toBeTruthy();
    expectSameTree(await snapshot(dst), await snapshot(src));
    const [, record] = await stateOf(ws).runRecords();
    expect(record).toMatchObject({ command: 'sync', status: 'success' });

    // the plan's facts include the destination, which the first apply changed: refused, not re-run
    const again = await ws.run(['apply', file, '--json']);
    expect(again.code).toBe(2);
    expect(errorOf(again).message).toMatch(
      /the world changed since the plan .* nothing was applied: .*destination:a\.txt/,
    );
  });

  it('refuses with exit 2, naming what changed, when a source entry was touched, added or removed', async () => {
    const ws = await workspace();
    const { src, dst } = await twoTrees(ws);
    const { file } = await savePlan(ws, [src, dst]);
    await utimes(join(src, 'docs/readme.md'), PAST + 60, PAST + 60);
    await writeFile(join(src, 'new.txt'), 'new\n');
    await rm(join(src, 'same.txt'));
    const before = await snapshot(dst, { withRoot: true });

    const result = await ws.run(['apply', file, '--json']);

    expect(result.code).toBe(2);
    const { message } = errorOf(result);
    expect(message).toContain('nothing was applied');
    expect(message).toContain(
      `changed: source:docs/readme.md (file size=8 mode=644 mtime=${PAST * 1000} -> `,
    );
    expect(message).toContain('gone: source:same.txt');
    expect(message).toContain('new: source:new.txt');
    expect(await snapshot(dst, { withRoot: true })).toEqual(before);
    expect(result.logs.map((line) => line.msg)).not.toContain('action applied');
  });

  it('refuses a plan whose destination changed, or whose config file changed', async () => {
    const ws = await workspace();
    const { src, dst } = await twoTrees(ws);
    const config = await ws.writeConfig('tempered.json', {
      'file-sync': { source: 'src', destination: 'dst' },
    });
    const { file } = await savePlan(ws, ['--config', config]);
    await rm(join(dst, 'extra.txt'));

    const gone = await ws.run(['apply', file, '--config', config, '--json']);
    expect(gone.code).toBe(2);
    expect(errorOf(gone).message).toContain('gone: destination:extra.txt');

    const fresh = await savePlan(ws, ['--config', config]);
    await ws.writeConfig('tempered.json', {
      'file-sync': { source: 'src', destination: 'dst', checksum: true },
    });
    const edited = await ws.run(['apply', fresh.file, '--config', config, '--json']);
    expect(edited.code).toBe(2);
    expect(errorOf(edited).message).toContain('changed: the config file');
    expect(await readFile(join(dst, 'a.txt'), 'utf8')).toBe('old a\n');
    expect(Object.keys(await snapshot(src))).not.toEqual(Object.keys(await snapshot(dst)));
  });

  it('is written 0600 and holds no secret from the config or the environment', async () => {
    const ws = await workspace();
    const { src, dst } = await twoTrees(ws);
    const pings = await startRecordingServer();
    const key = 'hc-secret-5a7c1e9b2d';
    const config = await ws.writeConfig('tempered.json', { ping: `${pings.url}/ping/\${HC_KEY}` });
    const env = { HC_KEY: key, TEMPERED_SECRET_VARS: 'HC_KEY' };
    const nowhere = await ws.run(['sync', src, dst, '--dry-run', '--plan-out', ws.path('plans', 'p.json')], {
      env,
    });
    expect(nowhere.code).toBe(2);
    expect(nowhere.logs.find((line) => line.level === 50)?.msg).toMatch(
      /^cannot write the plan file ".*plans\/p\.json": no such file or directory \(ENOENT\)/,
    );
    await mkdir(ws.path('plans'));
    const { file } = await savePlan(ws, [src, dst, '--config', config], ws.path('plans', 'p.json'), env);

    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const text = await readFile(file, 'utf8');
    expect(text).not.toContain(key);
    expect(JSON.parse(text)).toMatchObject({ format: 'tempered-plan/1', cli: 'file-sync', command: 'sync' });

    const applied = await ws.run(['apply', file, '--config', config], { env });
    expect(applied.code, applied.stderr).toBe(0);
    expect(applied.stdout).toMatch(/^Synced: 2 created, 1 updated, 0 deleted/);
    // the key was live in the run that applied the plan (its heartbeat), yet never in the file
    expect(pings.received.some((request) => request.path.includes(key))).toBe(true);
    expect(applied.stdout + applied.stderr).not.toContain(key);
  });

  it('refuses a plan made by another CLI, or more than 24 hours ago (exit 2, nothing applied)', async () => {
    const ws = await workspace();
    const { src, dst } = await twoTrees(ws);
    const { file } = await savePlan(ws, [src, dst]);
    const saved = JSON.parse(await readFile(file, 'utf8'));
    const before = await snapshot(dst, { withRoot: true });

    const foreign = await ws.writeConfig('foreign.plan', { ...saved, cli: 'resource-cleanup' });
    const other = await ws.run(['apply', foreign, '--json']);
    expect(other.code).toBe(2);
    expect(errorOf(other).message).toContain('was made by resource-cleanup, not file-sync');

    const createdAt = new Date(Date.now() - 25 * 3600 * 1000).toISOString();
    const stale = await ws.writeConfig('stale.plan', { ...saved, createdAt });
    const old = await ws.run(['apply', stale, '--json']);
    expect(old.code).toBe(2);
    expect(errorOf(old).message).toContain(`was made at ${createdAt}, over 24 hours ago`);

    expect(await snapshot(dst, { withRoot: true })).toEqual(before);
    // the untouched plan still applies
    expect((await ws.run(['apply', file])).code).toBe(0);
  });
});
