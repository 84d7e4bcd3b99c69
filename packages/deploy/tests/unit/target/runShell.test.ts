import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runShell } from '../../../src/target/runShell.js';

/** `gone`, or the state letter of /proc/<pid>/stat (R, S, Z...). */
function processState(pid: number): string {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0] ?? '?';
  } catch {
    return 'gone';
  }
}

function collect() {
  const lines: [string, string][] = [];
  return { lines, onLine: (stream: 'stdout' | 'stderr', line: string) => lines.push([stream, line]) };
}

describe('Function: runShell', () => {
  it('runs in the given directory with the given environment and hands over each line', async () => {
    const { lines, onLine } = collect();
    const result = await runShell('echo "in $(pwd) as $X"; echo oops >&2; printf tail', '/tmp', {
      timeoutMs: 5_000,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', X: 'x-value' },
      onLine,
    });
    expect(result).toMatchObject({ exitCode: 0, signal: null, timedOut: false });
    expect(lines).toEqual([
      ['stdout', 'in /tmp as x-value'],
      ['stderr', 'oops'],
      ['stdout', 'tail'],
    ]);
  });

  it('reports a non-zero exit', async () => {
    const result = await runShell('exit 7', '/tmp', { timeoutMs: 5_000, env: {}, onLine: () => {} });
    expect(result.exitCode).toBe(7);
  });

  it('kills the whole process group at the timeout', async () => {
    const { lines, onLine } = collect();
    const started = Date.now();
    const result = await runShell('sleep 30 & echo child $!; wait', '/tmp', {
      timeoutMs: 300,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
      onLine,
    });
    expect(result.timedOut).toBe(true);
    expect(Date.now() - started).toBeLessThan(5_000);
    const child = Number(lines.find(([, line]) => line.startsWith('child '))?.[1].split(' ')[1]);
    expect(Number.isInteger(child)).toBe(true);
    // the background sleep went with its group (gone, or a zombie waiting for init to reap it)
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(processState(child)).toMatch(/^(gone|Z)$/);
  });

  it('does not wait for a daemon the command left running with the output pipes', async () => {
    const started = Date.now();
    const result = await runShell('(sleep 3; echo late) & echo started', '/tmp', {
      timeoutMs: 10_000,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
      onLine: () => {},
    });
    expect(result.exitCode).toBe(0);
    expect(Date.now() - started).toBeLessThan(2_000);
  });
});
