import { existsSync, mkdirSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { readdir, readFile, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { FileStateStore, lockNameFor } from '@tempered/core';
import { describe, expect, it } from 'vitest';
import { AuditLog } from '../../src/audit/AuditLog.js';
import { ANSI, listTree, type Workspace, workspace } from './helpers.js';
import { planActions } from './registry/common.js';

const DAY = 86_400_000;

/** Writes a file (parents included) whose mtime is `days` days ago. */
function file(path: string, days: number, content = 'x'): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, content);
  age(path, days);
}

function age(path: string, days: number): void {
  const when = new Date(Date.now() - days * DAY);
  utimesSync(path, when, when);
}

async function fsConfig(ws: Workspace, rule: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  return ws.writeConfig('tempered.json', {
    'resource-cleanup': { rules: [{ name: 'builds', path: 'builds', ...rule }], ...extra },
  });
}

describe('fs rules on real trees', () => {
  it('a deletion cut off between its effect and its outcome line gets `already-gone` from the next run', async () => {
    const ws = await workspace();
    const root = ws.path('builds');
    for (const name of ['a.tar.gz', 'b.tar.gz', 'c.tar.gz']) file(join(root, name), 40);
    file(join(root, 'young.tar.gz'), 1);
    const config = await fsConfig(ws, { match: ['*.tar.gz'], olderThan: '14d' });
    // what a run SIGKILLed right after unlinking a.tar.gz leaves, written with the real journal
    // and audit log: the step begun, the `deleting` line fsynced, the file gone, no outcome;
    // young.tar.gz was begun too but its delete never happened (still listed, now kept)
    const stateDir = ws.path('state', 'tempered', 'resource-cleanup', 'default');
    const journal = await new FileStateStore(stateDir).openJournal(lockNameFor('cleanup-rules'));
    const audit = new AuditLog(join(stateDir, 'audit.jsonl'), { run_id: 'killed-run' });
    for (const name of ['a.tar.gz', 'young.tar.gz']) {
      const action = `delete:builds:${name}`;
      await journal.begin(action, { kind: 'delete', target: `builds: ${name}` });
      await audit.record({
        event: 'deleting',
        rule: 'builds',
        provider: 'fs',
        action,
        target: `builds: ${name}`,
      });
    }
    await rm(join(root, 'a.tar.gz'));

    const result = await ws.run(['run', '--config', config, '--yes']);

    expect(result.code, result.stderr).toBe(0);
    expect((await readdir(root)).sort()).toEqual(['young.tar.gz']);
    const lines = (await readFile(join(stateDir, 'audit.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { event: string; target: string; run_id: string });
    const outcomes = (target: string) =>
      lines.filter((l) => l.target === target && l.event !== 'deleting').map((l) => l.event);
    expect(outcomes('builds: a.tar.gz')).toEqual(['already-gone']);
    expect(outcomes('builds: b.tar.gz')).toEqual(['deleted']);
    expect(outcomes('builds: c.tar.gz')).toEqual(['deleted']);
    expect(outcomes('builds: young.tar.gz')).toEqual([]);
    expect(lines.find((l) => l.event === 'already-gone')?.run_id).not.toBe('killed-run');
    expect(result.stdout).toMatch(/1 already gone/);
  });

  it('selects by glob and age, keeps the newest and the protected, and never deletes path itself', async () => {
    // Prepare
    const ws = await workspace();
    const root = ws.path('builds');
    file(join(root, 'app-1.tar.gz'), 40);
    file(join(root, 'app-2.tar.gz'), 30);
    file(join(root, 'app-3.tar.gz'), 20);
    file(join(root, 'app-4.tar.gz'), 15);
    file(join(root, 'app-5.tar.gz'), 2);
    file(join(root, 'keep-release.tar.gz'), 90);
    file(join(root, 'notes.txt'), 90);
    file(join(root, 'nested', 'deep', 'old.tar.gz'), 60);
    file(join(root, 'tmp-a', 'inner.bin'), 30);
    age(join(root, 'tmp-a'), 30);
    file(join(root, 'tmp-b', 'inner.bin'), 30);
    file(join(root, 'tmp-b', 'fresh.bin'), 1); // a directory is as old as the newest thing in it
    age(join(root, 'tmp-b'), 30);
    file(join(root, 'tmp-c', 'keep-me.bin'), 20);
    age(join(root, 'tmp-c'), 20);
    age(root, 100);
    const config = await fsConfig(ws, {
      match: ['*.tar.gz', 'tmp-*/', '**'],
      olderThan: '14d',
      keepLatest: 2,
      protect: ['*keep*', 'notes.txt'],
    });
    const before = await listTree(root);

    // Act 1
    const plan = await ws.run(['plan', '--config', config, '--json']);

    // Assess 1
    expect(plan.code, plan.stderr).toBe(0);
    expect(await listTree(root)).toEqual(before);
    const reasons = Object.fromEntries(
      planActions(plan.stdout).map((a) => [a.target, `${a.kind}: ${a.reason}`]),
    );
    expect(reasons).toMatchObject({
      'builds: app-1.tar.gz': expect.stringMatching(/^delete: age 40d, older than 14d/),
      'builds: app-2.tar.gz': expect.stringMatching(/^delete: age 30d/),
      'builds: app-3.tar.gz': expect.stringMatching(/^delete: age 20d/),
      'builds: app-4.tar.gz': expect.stringMatching(
        /^skip: kept: one of the 2 newest of \*\.tar\.gz \(age 15d\)/,
      ),
      'builds: app-5.tar.gz': expect.stringMatching(
        /^skip: kept: one of the 2 newest of \*\.tar\.gz \(age 2d\)/,
      ),
      'builds: keep-release.tar.gz': expect.stringMatching(/^skip: protected by \*keep\*/),
      'builds: notes.txt': expect.stringMatching(/^skip: protected by notes.txt/),
      'builds: nested/deep/old.tar.gz': expect.stringMatching(/^delete: age 60d/),
      'builds: tmp-a/': expect.stringMatching(/^delete: age 30d/),
      'builds: tmp-b/': expect.stringMatching(
        /^skip: kept: one of the 2 newest of tmp-\*\/ \(age 1d\); 2 B$/,
      ),
      'builds: tmp-c/': expect.stringMatching(/^skip: protected: holds tmp-c\/keep-me.bin/),
    });
    expect(Object.keys(reasons).filter((target) => target.startsWith('builds: tmp-a/i'))).toEqual([]);

    // Act 2: human plan, then the run
    const human = await ws.run(['plan', '--config', config]);
    const run = await ws.run(['run', '--config', config, '--yes']);

    // Assess 2
    expect(human.stdout).toContain('  - builds: tmp-a/ (age 30d, older than 14d; 1 B)');
    expect(human.stdout).toContain('  = builds: keep-release.tar.gz (protected by *keep*; 1 B)');
    expect(human.stdout).toMatch(/Plan: 5 to delete, 6 kept\.$/m);
    expect(human.stdout + human.stderr).not.toMatch(ANSI);
    expect(run.code, run.stderr).toBe(0);
    expect(existsSync(root)).toBe(true);
    expect((await readdir(root)).sort()).toEqual(
      ['app-4.tar.gz', 'app-5.tar.gz', 'keep-release.tar.gz', 'nested', 'notes.txt', 'tmp-b', 'tmp-c'].sort(),
    );
    expect(await readdir(join(root, 'nested', 'deep'))).toEqual([]);
    expect(run.stdout).toContain('Cleanup: 5 deleted; 6 kept.');
  });

  it('never follows a symlink out of path: links are listed as kept, their targets untouched', async () => {
    // Prepare: old matching files outside, reachable through a directory link and a file link
    const ws = await workspace();
    const root = ws.path('builds');
    const outside = ws.path('outside');
    file(join(outside, 'precious.tar.gz'), 90);
    file(join(outside, 'logs', 'old.log'), 90);
    file(join(root, 'old.tar.gz'), 90);
    mkdirSync(root, { recursive: true });
    symlinkSync(outside, join(root, 'through'));
    symlinkSync(join(outside, 'precious.tar.gz'), join(root, 'link.tar.gz'));
    symlinkSync(join(outside, 'logs'), join(root, 'logs'));
    const config = await fsConfig(ws, { match: ['*.tar.gz', '**/*.log', 'through/'], olderThan: '1d' });
    const outsideBefore = await listTree(outside);

    // Act
    const plan = await ws.run(['plan', '--config', config, '--json']);
    const run = await ws.run(['run', '--config', config, '--yes']);

    // Assess
    expect(plan.code, plan.stderr).toBe(0);
    const actions = planActions(plan.stdout);
    expect(actions.filter((a) => a.kind === 'delete').map((a) => a.target)).toEqual(['builds: old.tar.gz']);
    expect(actions.find((a) => a.target === 'builds: link.tar.gz')?.reason).toMatch(
      /^a symlink: never followed nor deleted/,
    );
    expect(actions.some((a) => a.target.includes('precious') || a.target.includes('old.log'))).toBe(false);
    expect(run.code, run.stderr).toBe(0);
    expect(await listTree(outside)).toEqual(outsideBefore);
    expect((await readdir(root)).sort()).toEqual(['link.tar.gz', 'logs', 'through']);
  });

  it('trash mode moves instead of deleting, and purges batches past their retention', async () => {
    // Prepare: one stale file, and a batch an earlier run left in the trash long ago
    const ws = await workspace();
    const root = ws.path('builds');
    const trash = ws.path('trash');
    file(join(root, 'old.log'), 30, 'old content');
    file(join(root, 'new.log'), 0);
    file(join(trash, '20200101T000000Z-oldrun', 'builds', 'ancient.log'), 2000);
    file(join(trash, '20200101T000000Z-oldrun', 'other-rule', 'theirs.log'), 2000);
    const config = await fsConfig(ws, {
      match: ['*.log'],
      olderThan: '7d',
      trash: 'trash',
      trashRetention: '7d',
    });

    // Act
    const run = await ws.run(['run', '--config', config, '--yes', '--json']);

    // Assess
    expect(run.code, run.stderr).toBe(0);
    expect(await readdir(root)).toEqual(['new.log']);
    const batches = (await readdir(trash)).sort();
    expect(batches).toHaveLength(2);
    const fresh = batches.find((name) => !name.startsWith('20200101'));
    expect(await readFile(join(trash, fresh ?? '', 'builds', 'old.log'), 'utf8')).toBe('old content');
    expect(await readdir(join(trash, '20200101T000000Z-oldrun'))).toEqual(['other-rule']);
    const result = JSON.parse(run.stdout).result;
    expect(result.cleanup.movedToTrash).toBe(1);
    expect(result.cleanup.deleted).toBe(1);
  });

  it('refuses without --yes (exit 2), over the cap (exit 3), and a missing path is an error (exit 1)', async () => {
    // Prepare
    const ws = await workspace();
    const root = ws.path('builds');
    for (const i of [1, 2, 3]) file(join(root, `old-${i}.log`), 30);
    const config = await fsConfig(ws, { match: ['*.log'], olderThan: '7d' }, { maxDelete: 2 });
    const before = await listTree(root);

    // Act
    const refused = await ws.run(['run', '--config', config, '--max-delete', '5']);
    const capped = await ws.run(['run', '--config', config, '--yes']);
    const missingConfig = await ws.writeConfig('elsewhere/tempered.json', {
      'resource-cleanup': { rules: [{ name: 'gone', path: '../not-mounted', match: ['*.log'] }] },
    });
    const unmounted = await ws.run(['plan', '--config', missingConfig]);

    // Assess
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('refusing to delete 3 resources without --yes');
    expect(capped.code).toBe(3);
    expect(capped.stderr).toContain('would delete 3 entries, over the cap of 2; nothing was deleted');
    expect(await listTree(root)).toEqual(before);
    expect(unmounted.code).toBe(1);
    expect(unmounted.logs.find((line) => line.level === 50)?.msg).toContain(
      `rule "gone": cannot read path ${ws.path('not-mounted')}: ENOENT`,
    );
    expect(unmounted.stdout).toBe('');
  });

  it('--rule picks rules; an unknown one is a usage error naming the known rules', async () => {
    const ws = await workspace();
    file(ws.path('a', 'x.log'), 30);
    file(ws.path('b', 'y.log'), 30);
    const config = await ws.writeConfig('tempered.json', {
      'resource-cleanup': {
        rules: [
          { name: 'a', path: 'a', match: ['*.log'] },
          { name: 'b', provider: 'fs', path: 'b', match: ['*.log'] },
        ],
      },
    });

    const unknown = await ws.run(['plan', '--config', config, '--rule', 'c']);
    const onlyB = await ws.run(['run', '--config', config, '--rule', 'b', '--yes']);

    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown rule \\"c\\"; known: a, b');
    expect(onlyB.code, onlyB.stderr).toBe(0);
    expect(existsSync(ws.path('a', 'x.log'))).toBe(true);
    expect(existsSync(ws.path('b', 'y.log'))).toBe(false);
  });

  it('a bad flag value is one line naming the flag, the value and what is expected; -h is --help', async () => {
    const ws = await workspace();

    const letters = await ws.run(['run', '--dry-run', '--concurrency=abc']);
    const negative = await ws.run(['run', '--dry-run', '--max-delete=-5']);
    const help = await ws.run(['run', '-h']);

    for (const [result, reason] of [
      [letters, '--concurrency: expected an integer .*but received: abc'],
      [negative, '--max-delete: expected an integer greater than or equal to 0 but received: -5'],
    ] as const) {
      expect(result.code).toBe(2);
      const lines = result.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(JSON.parse(lines[0] as string).msg).toMatch(new RegExp(`^${reason} \\(hint: see --help\\)$`));
    }
    expect(help.code, help.stderr).toBe(0);
    expect(help.stdout).toContain('--max-delete');
  });
});
