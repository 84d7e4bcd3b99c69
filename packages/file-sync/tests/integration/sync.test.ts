import { chmod, lstat, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { lockNameFor } from '@tempered/core';
import { ANSI, messages, stateOf } from '@tempered/testkit';
import { describe, expect, it } from 'vitest';
import { CLI_NAME, workspace } from './helpers.js';
import { expectSameTree, makeTree, PAST, snapshot, type TreeSpec } from './trees.js';

const TREE: TreeSpec = {
  'docs/readme.md': '# hello\n',
  'docs/deep/nested/note.txt': 'deep\n',
  'empty/': { dir: true },
  'bin/run.sh': { content: '#!/bin/sh\necho hi\n', mode: 0o755 },
  'private.key': { content: 'secret-ish\n', mode: 0o600 },
  'with space.txt': 'spaces\n',
  'line\nbreak.txt': 'newline in the name\n',
  '-rf': 'leading dash\n',
  'ünïcødé.txt': 'unicode\n',
  'link-to-readme': { link: 'docs/readme.md' },
};

// makeTree treats a trailing '/' key as a directory spec
function spec(tree: TreeSpec): TreeSpec {
  return Object.fromEntries(Object.entries(tree).map(([path, node]) => [path.replace(/\/$/, ''), node]));
}

interface JsonAction {
  id: string;
  kind: string;
  target: string;
  reason: string;
}

describe('sync: plan, apply, re-run', () => {
  it('the itemised dry-run changes nothing and lists exactly what the real run then applies', async () => {
    const ws = await workspace();
    const src = ws.path('src');
    const dst = ws.path('dst');
    await makeTree(src, spec(TREE));

    const dry = await ws.run(['sync', src, dst, '--dry-run']);

    expect(dry.code).toBe(0);
    expect(dry.stdout).toBe(
      [
        `${CLI_NAME} sync ${src} -> ${dst} [default]`,
        '+ ./',
        '+ -rf',
        '+ bin/',
        '+ bin/run.sh',
        '+ docs/',
        '+ docs/deep/',
        '+ docs/deep/nested/',
        '+ docs/deep/nested/note.txt',
        '+ docs/readme.md',
        '+ empty/',
        '+ "line\\nbreak.txt"',
        '+ link-to-readme',
        '+ private.key',
        '+ with space.txt',
        '+ ünïcødé.txt',
        'Plan: 15 to create, 0 to update, 0 to delete, 0 unchanged; 90 B to copy.',
        '',
      ].join('\n'),
    );
    await expect(lstat(dst)).rejects.toMatchObject({ code: 'ENOENT' });

    const dryJson = await ws.run(['sync', src, dst, '--dry-run', '--json']);
    const planned: JsonAction[] = JSON.parse(dryJson.stdout).result.plan.actions;
    const real = await ws.run(['sync', src, dst, '--json']);

    expect(real.code).toBe(0);
    const doc = JSON.parse(real.stdout);
    const applied = doc.result.applied.outcomes.map((o: JsonAction & { status: string }) => [o.id, o.status]);
    expect(applied.map(([id]: [string]) => id).sort()).toEqual(planned.map((a) => a.id).sort());
    expect(new Set(applied.map(([, status]: [string, string]) => status))).toEqual(new Set(['applied']));
    expect(doc.result.sync).toMatchObject({
      source: src,
      destination: dst,
      scanned: { source: 15, destination: 0 },
      created: 15,
      updated: 0,
      deleted: 0,
      unchanged: 0,
      bytesCopied: 90,
      durationMs: expect.any(Number),
      duration: expect.stringMatching(/^\d/),
    });
    expectSameTree(await snapshot(dst, { withRoot: true }), await snapshot(src, { withRoot: true }));
  });

  it('a second run copies nothing, says so, and rewrites no file', async () => {
    const ws = await workspace();
    const src = ws.path('src');
    const dst = ws.path('dst');
    await makeTree(src, spec(TREE));
    expect((await ws.run(['sync', src, dst])).code).toBe(0);
    const before = await stat(join(dst, 'docs/readme.md'));
    const state = stateOf(ws);
    const journalsBefore = await state.journals();

    const again = await ws.run(['sync', src, dst]);

    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/^No changes: 15 up to date \(15 scanned in \d[^)]*\); nothing copied\.\n$/);
    expect(messages(again)).toContain('nothing to change');
    const after = await stat(join(dst, 'docs/readme.md'));
    expect([after.ino, after.mtimeMs, after.ctimeMs]).toEqual([before.ino, before.mtimeMs, before.ctimeMs]);
    // the no-op run journals nothing
    const journals = await state.journals();
    expect(journals.filter((journal) => !journal.archived)).toEqual([]);
    expect(journals).toEqual(journalsBefore);
    const [, second] = await state.runRecords();
    expect(second).toMatchObject({
      status: 'noop',
      exitCode: 0,
      counts: { entries_scanned: 15, entries_unchanged: 15 },
    });
  });

  it('finds size, mtime, mode and link changes, itemises them with the reason, and applies them', async () => {
    const ws = await workspace();
    const src = ws.path('src');
    const dst = ws.path('dst');
    await makeTree(src, spec(TREE));
    expect((await ws.run(['sync', src, dst])).code).toBe(0);
    await writeFile(join(src, 'docs/readme.md'), '# hello, longer now\n');
    await utimes(join(src, 'docs/readme.md'), PAST, PAST);
    await utimes(join(src, 'with space.txt'), PAST + 60, PAST + 60);
    await chmod(join(src, 'private.key'), 0o640);
    await rm(join(src, 'link-to-readme'));
    await makeTree(src, { 'link-to-readme': { link: 'bin/run.sh' }, 'new/file.txt': 'new\n' });

    const dry = await ws.run(['sync', src, dst, '--dry-run']);

    expect(dry.code).toBe(0);
    const lines = dry.stdout.split('\n').slice(1, -2);
    expect(lines).toEqual([
      '~ ./ (mtime)',
      '~ docs/readme.md (size)',
      '~ link-to-readme (target)',
      '+ new/',
      '+ new/file.txt',
      '~ private.key (mode)',
      '~ with space.txt (mtime)',
    ]);

    const real = await ws.run(['sync', src, dst]);
    expect(real.code).toBe(0);
    expect(real.stdout).toMatch(
      /^Synced: 2 created, 5 updated, 0 deleted, 10 unchanged \(17 scanned\); 31 B copied in /,
    );
    expectSameTree(await snapshot(dst, { withRoot: true }), await snapshot(src, { withRoot: true }));
    expect((await ws.run(['sync', src, dst])).stdout).toMatch(/^No changes: 17 up to date/);
  });

  it('--delete removes what the source lacks, after the copies, and is previewed by --dry-run', async () => {
    const ws = await workspace();
    const src = ws.path('src');
    const dst = ws.path('dst');
    await makeTree(src, spec(TREE));
    expect((await ws.run(['sync', src, dst])).code).toBe(0);
    await rm(join(src, 'docs/deep'), { recursive: true });
    await rm(join(src, '-rf'));
    await makeTree(dst, { 'extra/inside.txt': 'x\n', 'extra.log': 'log\n' });

    const keep = await ws.run(['sync', src, dst]);
    expect(keep.code).toBe(0);
    expect(await lstat(join(dst, '-rf'))).toBeTruthy();

    const dry = await ws.run(['sync', src, dst, '--delete', '--dry-run']);
    expect(dry.stdout.split('\n').filter((line) => line.startsWith('-'))).toEqual([
      '- -rf',
      '- docs/deep/',
      '- docs/deep/nested/',
      '- docs/deep/nested/note.txt',
      '- extra/',
      '- extra/inside.txt',
      '- extra.log',
    ]);
    expect(dry.stdout).toContain('0 to create, 0 to update, 7 to delete');

    const real = await ws.run(['sync', src, dst, '--delete', '--json']);
    expect(real.code).toBe(0);
    expect(JSON.parse(real.stdout).result.sync).toMatchObject({ deleted: 7, created: 0 });
    expectSameTree(await snapshot(dst), await snapshot(src));
    // deletions are journaled for audit; the journal is archived once the run succeeded
    const archived = (await stateOf(ws).journals()).filter((journal) => journal.archived);
    expect(archived.length).toBeGreaterThan(0);
  });

  it('--exclude leaves entries out on both sides and never deletes excluded destination entries', async () => {
    const ws = await workspace();
    const src = ws.path('src');
    const dst = ws.path('dst');
    await makeTree(src, { 'a.txt': 'a\n', 'b.log': 'b\n', 'cache/x': 'x\n' });
    await makeTree(dst, { 'keep.log': 'mine\n' });

    const result = await ws.run(['sync', src, dst, '--delete', '--exclude', '*.log', '--exclude', 'cache/']);

    expect(result.code).toBe(0);
    expect(Object.keys(await snapshot(dst)).sort()).toEqual(['a.txt', 'keep.log']);
  });

  it('removes only temp files an interrupted run recorded; a user file named like one is content', async () => {
    const ws = await workspace();
    const src = ws.path('src');
    const dst = ws.path('dst');
    // names a user may well have: file-sync's old temp names, and one shaped like today's
    const lookalikes = {
      '.b.txt.file-sync-tmp-999999-00000000abcd': 'mine',
      '.c.txt.fstmp-0123456789abcdef-1': 'mine too',
      'd/.x.tmp-99-aaaaaaaaaaaa': 'and this',
    };
    await makeTree(src, { 'a.txt': 'a\n', ...lookalikes });
    expect((await ws.run(['sync', src, dst])).code).toBe(0);
    expect(Object.keys(await snapshot(dst)).sort()).toEqual(
      ['a.txt', ...Object.keys(lookalikes), 'd'].sort(),
    );
    // the state an interrupted run leaves: its tag begun in the target's journal, a temp file of it
    const tag = 'feedfacecafebeef';
    await stateOf(ws).leaveOpenJournal(lockNameFor(dst), [{ kind: 'begin', step: `temp-files:${tag}` }]);
    const leftover = `.a.txt.fstmp-${tag}-2a`;
    await writeFile(join(dst, leftover), 'a, half wri');
    // a destination-only file with a look-alike name is the user's: kept without --delete
    await writeFile(join(dst, '.e.txt.fstmp-0000000000000000-1'), 'the user put it here');

    const dry = await ws.run(['sync', src, dst, '--dry-run']);
    expect(dry.stdout).toContain(`- ${leftover} (temp file of an interrupted run)`);
    expect(dry.stdout).not.toContain('.e.txt');
    const real = await ws.run(['sync', src, dst]);

    expect(real.code, real.stderr).toBe(0);
    expect(real.stdout).toContain('1 temp file(s) of an interrupted run removed');
    expect(Object.keys(await snapshot(dst)).sort()).toEqual(
      ['a.txt', ...Object.keys(lookalikes), 'd', '.e.txt.fstmp-0000000000000000-1'].sort(),
    );
    expect(await readFile(join(dst, '.c.txt.fstmp-0123456789abcdef-1'), 'utf8')).toBe('mine too');
  });

  it('--checksum finds a same-size, same-mtime change that size+mtime cannot see', async () => {
    const ws = await workspace();
    const src = ws.path('src');
    const dst = ws.path('dst');
    await makeTree(src, { 'a.txt': 'aaaa\n' });
    expect((await ws.run(['sync', src, dst])).code).toBe(0);
    await makeTree(dst, { 'a.txt': 'bbbb\n' });

    expect((await ws.run(['sync', src, dst, '--dry-run'])).stdout).toContain('0 to update');
    const checksum = await ws.run(['sync', src, dst, '--checksum']);

    expect(checksum.code).toBe(0);
    expect(checksum.stdout).toMatch(/^Synced: 0 created, 1 updated/);
    expectSameTree(await snapshot(dst), await snapshot(src));
  });

  it('takes SOURCE, DESTINATION and options from the environment section; flags override it', async () => {
    const ws = await workspace();
    await makeTree(ws.path('site'), { 'index.html': '<h1>hi</h1>\n', 'skip.tmp': 'x' });
    const config = await ws.writeConfig('tempered.json', {
      environments: {
        staging: { 'file-sync': { source: 'site', destination: 'out/staging', exclude: ['*.tmp'] } },
      },
    });

    const result = await ws.run(['sync', '-e', 'staging', '--config', config]);

    expect(result.code).toBe(0);
    expect(Object.keys(await snapshot(ws.path('out/staging')))).toEqual(['index.html']);
    const flagged = await ws.run([
      'sync',
      '-e',
      'staging',
      '--config',
      config,
      '--exclude',
      'none',
      '--dry-run',
    ]);
    expect(flagged.stdout).toContain('+ skip.tmp');
  });
});

describe('output', () => {
  it('without a TTY: stdout has the result, stderr only JSON log lines, no escape codes, no bar', async () => {
    const ws = await workspace();
    const src = ws.path('src');
    await makeTree(src, spec(TREE));

    const result = await ws.run(['sync', src, ws.path('dst')]);

    expect(result.code).toBe(0);
    expect(result.stdout).not.toMatch(ANSI);
    expect(result.stderr).not.toMatch(ANSI);
    expect(result.stderr).not.toContain('\r');
    expect(result.logs.length).toBeGreaterThan(0);
    expect(result.logs.every((line) => line.cli === CLI_NAME && typeof line.run_id === 'string')).toBe(true);
    expect(result.logs.find((line) => line.msg === 'scan finished')).toMatchObject({
      source: { entries: 15 },
      destination: { entries: 0 },
    });
  });

  it('on a TTY: a progress bar of files and bytes on stderr', async () => {
    const ws = await workspace();
    const src = ws.path('src');
    await makeTree(src, spec(TREE));
    const { CLI_BIN } = await import('./helpers.js');
    const command = [process.execPath, CLI_BIN, 'sync', src, ws.path('dst')].map((a) => `'${a}'`).join(' ');

    // script(1) gives the CLI a pseudo-terminal for stdin, stdout and stderr
    const result = await ws.runCommand('script', ['-qec', command, '/dev/null']);

    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/\r\[[#-]{24}\] \d+\/15 files, \d+ B\/90 B/);
    expect(result.stdout).toContain('Synced: 15 created');
  });

  it('stats reports the recorded runs', async () => {
    const ws = await workspace();
    const src = ws.path('src');
    await makeTree(src, { a: 'a' });
    await ws.run(['sync', src, ws.path('dst')]);
    await ws.run(['sync', src, ws.path('dst')]);

    const stats = await ws.run(['stats', '--json']);

    expect(stats.code).toBe(0);
    const [env] = JSON.parse(stats.stdout).result.environments;
    expect(env).toMatchObject({ environment: 'default', runs: 2, succeeded: 2 });
  });
});
