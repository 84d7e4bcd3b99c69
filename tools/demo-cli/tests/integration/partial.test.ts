import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { messages, stateOf } from '@tempered/testkit';
import { describe, expect, it } from 'vitest';
import { workspace } from './helpers.js';

const FILES = { 'a.txt': 'A\n', 'hello.txt': 'hello\n', 'z.txt': 'Z\n' };

describe('a partial run', () => {
  it('exits 3 with the other files written; the re-run finishes them without rewriting any', async () => {
    const ws = await workspace();
    const out = ws.path('out');
    const failing = await ws.writeConfig('failing.json', {
      'tempered-demo': { files: FILES, failOn: ['hello.txt'] },
    });
    const fixed = await ws.writeConfig('fixed.json', { 'tempered-demo': { files: FILES } });

    // Act 1: hello.txt fails, the others are applied
    const partial = await ws.run(['apply', out, '--config', failing]);
    expect(partial.code).toBe(3);
    expect(partial.stdout).toBe('+ a.txt (applied)\n+ z.txt (applied)\n');
    expect((await readdir(out)).sort()).toEqual(['a.txt', 'z.txt']);
    const failed = partial.logs.find((line) => line.msg === 'action failed');
    expect(failed).toMatchObject({ level: 50, action: expect.stringMatching(/^write:hello\.txt@/) });
    const error = partial.logs.find((line) => line.level === 50 && line.exit_code !== undefined);
    expect(error).toMatchObject({ code: 'E_PARTIAL', exit_code: 3 });
    expect(error?.msg).toMatch(/^1 of 3 actions failed; the rest were applied \(first: write:hello\.txt@/);
    expect(error?.msg).toContain('(hint: re-run the same command: completed actions are not repeated)');
    const state = stateOf(ws);
    const [record] = await state.runRecords();
    expect(record).toMatchObject({
      status: 'partial',
      exitCode: 3,
      counts: { actions_create: 2, actions_failed: 1 },
      // the step that failed, not the last one attempted (z.txt)
      failure: { code: 'E_PARTIAL', step: failed?.action },
    });
    const before = {
      a: await stat(join(out, 'a.txt')),
      z: await stat(join(out, 'z.txt')),
    };
    // the unfinished journal stays for the re-run
    expect((await state.journals()).map((j) => j.archived)).toEqual([false]);

    // Act 2: failOn removed
    const rerun = await ws.run(['apply', out, '--config', fixed]);

    expect(rerun.code).toBe(0);
    expect(rerun.stdout).toBe(
      '+ hello.txt (applied)\nApplied 1 change(s), 2 already done by an interrupted run.\n',
    );
    const written = rerun.logs.filter((line) => line.msg === 'file written').map((line) => line.path);
    expect(written).toEqual(['hello.txt']);
    const alreadyDone = rerun.logs
      .filter((line) => line.msg === 'already done by an earlier run; not repeating')
      .map((line) => String(line.action).replace(/@.*/, ''));
    expect(alreadyDone).toEqual(['write:a.txt', 'write:z.txt']);
    expect(messages(rerun)).toContain('resuming an interrupted run from its journal');
    for (const [name, info] of [
      ['a.txt', before.a],
      ['z.txt', before.z],
    ] as const) {
      const now = await stat(join(out, name));
      expect([name, now.ino, now.mtimeMs]).toEqual([name, info.ino, info.mtimeMs]);
    }
    for (const [name, content] of Object.entries(FILES)) {
      expect(await readFile(join(out, name), 'utf8')).toBe(content);
    }
    expect((await state.runRecords()).map((r) => r.status)).toEqual(['partial', 'success']);
    // finished: the journal is archived
    expect((await state.journals()).map((j) => j.archived)).toEqual([true]);
  });

  it('a re-run after a partial run applies new content for a file the partial run already wrote', async () => {
    // the journal must not answer "already done" for a different change to the same file
    const ws = await workspace();
    const out = ws.path('out');
    await ws.writeFile('out/a.txt', 'old\n');
    const first = await ws.writeConfig('first.json', {
      'tempered-demo': { files: { 'a.txt': 'A1\n', 'b.txt': 'B\n' }, failOn: ['b.txt'] },
    });
    const second = await ws.writeConfig('second.json', {
      'tempered-demo': { files: { 'a.txt': 'A2\n', 'b.txt': 'B\n' } },
    });

    expect((await ws.run(['apply', out, '--config', first])).code).toBe(3);
    expect(await readFile(join(out, 'a.txt'), 'utf8')).toBe('A1\n');

    const rerun = await ws.run(['apply', out, '--config', second]);

    expect(rerun.code).toBe(0);
    expect(rerun.stdout).toBe('~ a.txt (applied)\n+ b.txt (applied)\nApplied 2 change(s).\n');
    expect(await readFile(join(out, 'a.txt'), 'utf8')).toBe('A2\n');
    expect(await readFile(join(out, 'b.txt'), 'utf8')).toBe('B\n');
  });

  it('exits 1, not 3, when every action failed', async () => {
    const ws = await workspace();
    const config = await ws.writeConfig('all.json', {
      'tempered-demo': { files: { 'a.txt': 'A\n', 'b.txt': 'B\n' }, failOn: ['a.txt', 'b.txt'] },
    });

    const result = await ws.run(['apply', ws.path('out'), '--config', config]);

    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    const [record] = await stateOf(ws).runRecords();
    expect(record).toMatchObject({
      status: 'failure',
      exitCode: 1,
      failure: { code: 'E_TEMPERED', step: expect.stringMatching(/^write:a\.txt@/) },
    });
  });

  it('--quiet (-q) prints nothing on success, and everything it held back when the run fails', async () => {
    const ws = await workspace();
    const failing = await ws.writeConfig('failing.json', {
      'tempered-demo': { files: FILES, failOn: ['hello.txt'] },
    });
    const fine = await ws.writeConfig('fine.json', { 'tempered-demo': { files: FILES } });

    const quiet = await ws.run(['apply', ws.path('ok'), '--config', fine, '--quiet']);
    const again = await ws.run(['apply', ws.path('ok'), '--config', fine, '-q']);
    const dry = await ws.run(['apply', ws.path('dry'), '--config', fine, '-q', '--dry-run']);
    const partial = await ws.run(['apply', ws.path('bad'), '--config', failing, '-q']);

    expect([quiet.code, again.code, dry.code, partial.code]).toEqual([0, 0, 0, 3]);
    expect(quiet.stdout).toBe('');
    expect(again.stdout).toBe('');
    expect(dry.stdout).toBe('');
    expect((await readdir(ws.path('ok'))).sort()).toEqual(Object.keys(FILES));
    expect(partial.stdout).toBe('+ a.txt (applied)\n+ z.txt (applied)\n');
  });
});
