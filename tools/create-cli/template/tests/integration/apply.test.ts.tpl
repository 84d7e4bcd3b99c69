import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ANSI, workspace } from './helpers.js';

/** The CLI's name: its config section's key. */
const CLI = '__CLI__';

describe(`${CLI} apply, as cron runs it`, () => {
  it('--dry-run prints the plan and writes nothing', async () => {
    const ws = await workspace();
    const result = await ws.run(['apply', 'out', '--dry-run']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('+ hello.txt (missing)');
    expect(existsSync(join(ws.dir, 'out'))).toBe(false);
    expect(result.logs().map((line) => line.msg)).toContain('dry run: plan printed, nothing changed');
    expect(result.stdout + result.stderr).not.toMatch(ANSI);
  });

  it('applies, then a re-run changes nothing', async () => {
    const ws = await workspace();
    const first = await ws.run(['apply', 'out']);
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('Applied 1 change(s).');
    expect(await readFile(join(ws.dir, 'out', 'hello.txt'), 'utf8')).toContain(`Written by ${CLI}`);

    const again = await ws.run(['apply', 'out']);
    expect(again.code).toBe(0);
    expect(again.stdout).toBe('No changes: 1 up to date.\n');
  });

  it('writes the configured files and prunes the rest when asked', async () => {
    const ws = await workspace();
    const config = await ws.writeConfig('config.json', {
      [CLI]: { target: 'out', files: { 'a.txt': 'A\n' }, prune: true },
    });
    await ws.run(['apply', '--config', config]);
    await writeFile(join(ws.dir, 'out', 'stray.txt'), 'x');
    const result = await ws.run(['apply', '--config', config, '--json']);
    expect(result.code).toBe(0);
    const document = JSON.parse(result.stdout) as { status: string; result: { summary: { delete: number } } };
    expect(document).toMatchObject({ status: 'success', result: { summary: { delete: 1 } } });
    expect(existsSync(join(ws.dir, 'out', 'stray.txt'))).toBe(false);
  });

  it('a bad config value is a config error (exit 2) naming the key', async () => {
    const ws = await workspace();
    const config = await ws.writeConfig('config.json', { [CLI]: { prune: 'yes' } });
    const result = await ws.run(['apply', '--config', config]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('prune');
  });

  it('help <command> prints its help; a mistyped command names the one meant (exit 2)', async () => {
    const ws = await workspace();
    const help = await ws.run(['help', 'apply']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain(`$ ${CLI} apply`);
    const typo = await ws.run(['aply']);
    expect(typo.code).toBe(2);
    expect(typo.logs().map((line) => line.msg)).toEqual([expect.stringContaining('did you mean "apply"?')]);
  });

  it('stats reads the run records', async () => {
    const ws = await workspace();
    await ws.run(['apply', 'out']);
    const result = await ws.run(['stats', '--json']);
    expect(result.code).toBe(0);
    const document = JSON.parse(result.stdout) as { result: { environments: { runs: number }[] } };
    expect(document.result.environments[0]?.runs).toBe(1);
  });
});
