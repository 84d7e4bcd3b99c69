/**
 * At a real terminal (a pty from util-linux `script`): in a protected environment, deleting asks
 * one question, under the plan, and typing the environment's name once approves both the
 * deletions and the protected environment.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI, workspace } from './helpers.js';

const DAY = 86_400_000;

function atTerminal(argv: string[], env: NodeJS.ProcessEnv, cwd: string, typed: string) {
  const command = [process.execPath, CLI.bin, ...argv]
    .map((arg) => `'${arg.replaceAll("'", "'\\''")}'`)
    .join(' ');
  const child = spawn('script', ['-qefc', command, '/dev/null'], { cwd, env: { ...env, TERM: 'dumb' } });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  // stdin stays open (an EOF would end the pty session); one answer per question asked
  const answered = new Set<number>();
  child.stdout.on('data', () => {
    const asked = output.split('Type its name').length - 1;
    if (asked > answered.size) {
      answered.add(asked);
      child.stdin.write(`${typed}\n`);
    }
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  return new Promise<{ code: number | null; output: string; asked: number }>((resolve) => {
    child.on('close', (code) => {
      clearTimeout(timer);
      child.stdin.destroy();
      resolve({ code, output, asked: output.split('Type its name').length - 1 });
    });
  });
}

/** Old `*.tar.gz` files under builds/ and a config whose `prod` environment is protected. */
async function protectedCleanup(names: string[]) {
  const ws = await workspace();
  const root = ws.path('builds');
  mkdirSync(root, { recursive: true });
  const old = new Date(Date.now() - 40 * DAY);
  for (const name of names) {
    writeFileSync(join(root, name), 'x');
    utimesSync(join(root, name), old, old);
  }
  const config = await ws.writeConfig('tempered.json', {
    environments: { prod: { protected: true } },
    'resource-cleanup': {
      rules: [{ name: 'builds', path: 'builds', match: ['*.tar.gz'], olderThan: '14d' }],
    },
  });
  return { ws, root, argv: ['run', '--config', config, '-e', 'prod'] };
}

describe('at a terminal', () => {
  it('a protected environment asks once, under the plan, and the typed name approves the deletions', async () => {
    const { ws, root, argv } = await protectedCleanup(['a.tar.gz', 'b.tar.gz']);

    const result = await atTerminal(argv, ws.env(), ws.root, 'prod');

    expect(result.code, result.output).toBe(0);
    expect(result.asked, result.output).toBe(1);
    expect(result.output.indexOf('a.tar.gz')).toBeLessThan(result.output.indexOf('Type its name'));
    expect(await readdir(root)).toEqual([]);
  });

  it('a wrong name deletes nothing (exit 2)', async () => {
    const { ws, root, argv } = await protectedCleanup(['a.tar.gz']);

    const result = await atTerminal(argv, ws.env(), ws.root, 'staging');

    expect(result.code, result.output).toBe(2);
    expect(result.asked).toBe(1);
    expect(await readdir(root)).toEqual(['a.tar.gz']);
  });
});
