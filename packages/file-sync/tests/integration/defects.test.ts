/**
 * One test per defect a real tree showed (issue 13): each failed before its fix. The broad
 * agreement with rsync over generated trees is parity.test.ts; these name the cause.
 */
import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { chmod, lstat, mkdir, readlink, stat, symlink, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeName } from '../../src/tree/fsName.js';
import { handOver, runAsUser, workspace } from './helpers.js';
import { expectSameTree, makeTree, PAST, snapshot } from './trees.js';

/** `touch -h -d @seconds.nanoseconds`: Node's utimes takes neither negative times nor nanoseconds. */
function touch(path: string, at: string): void {
  execFileSync('touch', ['-h', '-d', `@${at}`, path]);
}

function mtimeNs(path: string): bigint {
  return lstatSync(path, { bigint: true }).mtimeNs;
}

describe('defects seen on real trees', () => {
  it('a failed entry leaves every other entry synced and every directory its final mode and mtime; exit 3 names it', async () => {
    const ws = await workspace();
    const src = ws.path('src');
    const dst = ws.path('dst');
    await makeTree(src, {
      'ro/inner.txt': 'inner\n',
      blocked: 'a file in the source\n',
      'z/last.txt': 'last\n',
    });
    await makeTree(dst, { 'blocked/inside.txt': 'a directory in the destination\n' });
    await chmod(join(src, 'ro'), 0o555);
    for (const dir of ['ro', 'z', '.']) await utimes(join(src, dir), PAST, PAST);

    const run = await ws.run(['sync', src, dst]);

    expect(run.code).toBe(3);
    const errors = run.logs.filter((line) => line.level === 50);
    expect(errors.find((line) => line.msg === 'action failed')?.err).toMatchObject({
      message: expect.stringContaining('"blocked": a non-empty directory in the destination'),
    });
    expect(readFileSync(join(dst, 'z/last.txt'), 'utf8')).toBe('last\n');
    expect((await stat(join(dst, 'ro'))).mode & 0o7777).toBe(0o555);
    for (const dir of ['ro', 'z', '.']) expect((await stat(join(dst, dir))).mtimeMs, dir).toBe(PAST * 1000);
  });

  it('a 255-byte UTF-8 name syncs (temp names fit NAME_MAX in bytes), a symlink too', async () => {
    const ws = await workspace();
    const src = ws.path('src');
    const dst = ws.path('dst');
    const name = '€'.repeat(85); // 255 bytes, 85 UTF-16 units
    const link = 'é'.repeat(127); // 254 bytes
    await makeTree(src, { [name]: 'long\n', [link]: { link: name } });

    const run = await ws.run(['sync', src, dst]);

    expect(run.code, run.stderr).toBe(0);
    expect(readFileSync(join(dst, name), 'utf8')).toBe('long\n');
    expect(await readlink(join(dst, link))).toBe(name);
  });

  it('names that are not UTF-8 are copied byte for byte and logged escaped', async () => {
    const ws = await workspace();
    const src = ws.path('src');
    const dst = ws.path('dst');
    await mkdir(src);
    const raw = Buffer.from([0x66, 0xff, 0xfe, 0x2e, 0x74]);
    const bytePath = (root: string, ...names: Buffer[]) =>
      Buffer.concat([Buffer.from(root), ...names.flatMap((n) => [Buffer.from('/'), n])]);
    mkdirSync(bytePath(src, raw));
    writeFileSync(bytePath(src, raw, raw), 'inside\n');
    symlinkSync(raw, bytePath(src, Buffer.from('link')));

    const run = await ws.run(['sync', src, dst, '--dry-run']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('+ "f\\udcff\\udcfe.t"/\n');
    const real = await ws.run(['sync', src, dst, '--log-level', 'debug']);

    expect(real.code, real.stderr).toBe(0);
    expect(
      readdirSync(dst, { encoding: 'buffer' })
        .map((n) => n.toString('hex'))
        .sort(),
    ).toEqual([raw.toString('hex'), Buffer.from('link').toString('hex')].sort());
    expect(readFileSync(bytePath(dst, raw, raw), 'utf8')).toBe('inside\n');
    expect(lstatSync(bytePath(dst, Buffer.from('link'))).isSymbolicLink()).toBe(true);
    expect(real.stderr).not.toContain('\ufffd');
    // JSON escapes in the raw log text; a JSON reader gets the exact name back
    expect(real.stderr).toContain('f\\udcff\\udcfe.t');
    expect(real.logs.some((line) => String(line.action).endsWith(decodeName(raw)))).toBe(true);
    expect((await ws.run(['sync', src, dst])).stdout).toMatch(/^No changes/);
  });

  it('keeps mtimes before 1970 and far ahead, symlink mtimes, and nanoseconds to within a microsecond', async () => {
    const ws = await workspace();
    const src = ws.path('src');
    const dst = ws.path('dst');
    await makeTree(src, {
      old: 'old\n',
      future: 'future\n',
      fine: 'fine\n',
      'dir/x': 'x\n',
      link: { link: 'old' },
    });
    touch(join(src, 'old'), '-31536000.25');
    touch(join(src, 'future'), '4102444800.5');
    touch(join(src, 'fine'), '1600000000.123456789');
    touch(join(src, 'link'), '1500000000.5');
    touch(join(src, 'dir'), '-1');

    const run = await ws.run(['sync', src, dst]);

    expect(run.code, run.stderr).toBe(0);
    for (const path of ['old', 'future', 'link', 'dir']) {
      expect(mtimeNs(join(dst, path)), path).toBe(mtimeNs(join(src, path)));
    }
    const drift = mtimeNs(join(dst, 'fine')) - mtimeNs(join(src, 'fine'));
    expect(drift < 1000n && drift > -1000n, `fine drifts ${drift} ns`).toBe(true);
    expect((await ws.run(['sync', src, dst])).stdout).toMatch(/^No changes/);
  });

  it('a symlink in the destination where the source has a directory is replaced, never written through', async () => {
    const ws = await workspace();
    const src = ws.path('src');
    const dst = ws.path('dst');
    const outside = ws.path('outside');
    await makeTree(src, { 'd/sub/f': 'f\n', 'e/g': 'g\n', l: { link: 'e' } });
    await makeTree(outside, { 'keep.txt': 'outside\n' });
    await mkdir(dst);
    await symlink(outside, join(dst, 'd'));
    await symlink('d', join(dst, 'e'));
    await makeTree(dst, { 'l/inner.txt': 'a directory where the source has a link\n' });

    const run = await ws.run(['sync', src, dst, '--delete']);

    expect(run.code, run.stderr).toBe(0);
    expect(readdirSync(outside)).toEqual(['keep.txt']);
    expectSameTree(await snapshot(dst), await snapshot(src));
    expect((await lstat(join(dst, 'd'))).isDirectory()).toBe(true);
  });

  it('a destination that cannot be made ends at once with one line and exit 1', async () => {
    const ws = await workspace();
    const src = ws.path('src');
    await makeTree(src, { a: 'a\n' });

    const run = await ws.run(['sync', src, '/proc/1/tempered-cannot-exist']);

    expect(run.code).toBe(1);
    const errors = run.logs.filter((line) => line.level >= 40);
    expect(errors).toHaveLength(1);
    expect(errors[0]?.msg).toMatch(/cannot create destination "\/proc\/1\/tempered-cannot-exist": /);
  });
});

// setpriv needs root; a suite already run by a user gets these cases from every other test
describe.skipIf(process.getuid?.() !== 0)('as a user without root', () => {
  it('read-only source directories are filled, then given their mode, as rsync does; again after a change', async () => {
    const ws = await workspace();
    const src = ws.path('src');
    const dst = ws.path('dst');
    await makeTree(src, { 'ro/a.txt': 'a\n', 'ro/deeper/b.txt': 'b\n' });
    chmodSync(join(src, 'ro/deeper'), 0o555);
    chmodSync(join(src, 'ro'), 0o555);

    const first = await runAsUser(ws, ['sync', src, dst]);
    expect(first.code, first.stderr).toBe(0);
    chmodSync(join(src, 'ro'), 0o755);
    await writeFile(join(src, 'ro/a.txt'), 'changed\n');
    await writeFile(join(src, 'ro/new.txt'), 'new\n');
    chmodSync(join(src, 'ro'), 0o555);
    const second = await runAsUser(ws, ['sync', src, dst, '--delete']);

    expect(second.code, second.stderr).toBe(0);
    expect((await stat(join(dst, 'ro'))).mode & 0o7777).toBe(0o555);
    expect((await stat(join(dst, 'ro/deeper'))).mode & 0o7777).toBe(0o555);
    expect(readFileSync(join(dst, 'ro/a.txt'), 'utf8')).toBe('changed\n');
    expectSameTree(await snapshot(dst), await snapshot(src));
  });

  it('keeps setuid, setgid and sticky bits on the user own files and directories', async () => {
    const ws = await workspace();
    const src = ws.path('src');
    const dst = ws.path('dst');
    await makeTree(src, {
      suid: { content: '#!/bin/sh\n', mode: 0o4755 },
      sgid: { content: '#!/bin/sh\n', mode: 0o2755 },
      'sticky/x': 'x\n',
    });
    await handOver(ws);
    chmodSync(join(src, 'suid'), 0o4755);
    chmodSync(join(src, 'sgid'), 0o2755);
    chmodSync(join(src, 'sticky'), 0o1777);

    const run = await runAsUser(ws, ['sync', src, dst], { handOver: false });

    expect(run.code, run.stderr).toBe(0);
    expect((await lstat(join(dst, 'suid'))).mode & 0o7777).toBe(0o4755);
    expect((await lstat(join(dst, 'sgid'))).mode & 0o7777).toBe(0o2755);
    expect((await lstat(join(dst, 'sticky'))).mode & 0o7777).toBe(0o1777);
  });

  it('an unreadable file: every other entry lands, directories get their mode, exit 3 names the file', async () => {
    const ws = await workspace();
    const src = ws.path('src');
    const dst = ws.path('dst');
    await makeTree(src, { 'd/secret': 'no\n', 'd/open': 'yes\n', 'e/f': 'f\n' });
    chmodSync(join(src, 'd/secret'), 0o000);
    chmodSync(join(src, 'd'), 0o750);

    const run = await runAsUser(ws, ['sync', src, dst]);

    expect(run.code).toBe(3);
    const failed = run.logs.filter((line) => line.msg === 'action failed');
    expect(failed).toHaveLength(1);
    expect(failed[0]?.err).toMatchObject({ message: '"d/secret": permission denied (EACCES)' });
    expect(readFileSync(join(dst, 'd/open'), 'utf8')).toBe('yes\n');
    expect(readFileSync(join(dst, 'e/f'), 'utf8')).toBe('f\n');
    expect((await stat(join(dst, 'd'))).mode & 0o7777).toBe(0o750);
    expect(readdirSync(join(dst, 'd'))).toEqual(['open']);
  });

  it('an unreadable source directory: made empty with its mode, as rsync does; the rest lands; nothing deleted; exit 3', async () => {
    const ws = await workspace();
    const src = ws.path('src');
    const dst = ws.path('dst');
    await makeTree(src, { 'locked/a': 'a\n', 'open/b': 'b\n' });
    await makeTree(dst, { 'extra.txt': 'would go with --delete\n' });
    await handOver(ws);
    chmodSync(join(src, 'locked'), 0o000);

    const run = await runAsUser(ws, ['sync', src, dst, '--delete'], { handOver: false });

    expect(run.code).toBe(3);
    const unreadable = run.logs.filter((line) => line.level === 50 && line.side === 'source');
    expect(unreadable.map((line) => [line.path, line.msg])).toEqual([
      ['locked', `EACCES: permission denied, scandir '${join(src, 'locked')}'`],
    ]);
    expect(readdirSync(dst).sort()).toEqual(['extra.txt', 'locked', 'open']);
    expect((await stat(join(dst, 'locked'))).mode & 0o7777).toBe(0);
    expect(readFileSync(join(dst, 'open/b'), 'utf8')).toBe('b\n');
  });

  it('a destination the user may not write: one line naming it and the reason, exit 1', async () => {
    const ws = await workspace();
    const src = ws.path('src');
    const locked = ws.path('locked');
    await makeTree(src, { a: 'a\n' });
    await mkdir(locked, { mode: 0o755 });

    const into = await runAsUser(ws, ['sync', src, locked], { rootOwned: [locked] });
    const under = await runAsUser(ws, ['sync', src, join(locked, 'dst')], { rootOwned: [locked] });

    for (const [run, what] of [
      [into, `destination "${locked}"`],
      [under, `cannot create destination "${join(locked, 'dst')}": "${locked}"`],
    ] as const) {
      expect(run.code).toBe(1);
      const problems = run.logs.filter((line) => line.level >= 40);
      expect(problems).toHaveLength(1);
      expect(problems[0]?.msg).toBe(
        `${what} is not writable: permission denied (EACCES) (hint: run as a user who may write there, or change its owner or permissions)`,
      );
    }
    expect(readdirSync(locked)).toEqual([]);
  });
});
