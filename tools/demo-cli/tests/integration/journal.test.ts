/**
 * Under systemd, stderr is the journal: systemd says so in JOURNAL_STREAM (the device:inode of
 * the stream), and lines prefixed `<N>` are logged at syslog priority N, so `journalctl -p err`
 * finds the errors. The built CLI, its stderr a real file standing in for the journal's stream.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, fstatSync, openSync, readFileSync } from 'node:fs';
import type { Workspace } from '@tempered/testkit';
import { describe, expect, it } from 'vitest';
import { CLI, workspace } from './helpers.js';

function runWithStderrFile(
  args: string[],
  stderrFile: string,
  journalStream: (dev: number, ino: number) => string,
  ws: Workspace,
) {
  // a bare environment, as systemd gives a unit; only the state backend the test run uses is kept
  const { TEMPERED_STATE_URL, TEMPERED_STATE_SCHEMA } = ws.env();
  const state = TEMPERED_STATE_URL ? { TEMPERED_STATE_URL, TEMPERED_STATE_SCHEMA } : {};
  const fd = openSync(stderrFile, 'w');
  try {
    const { dev, ino } = fstatSync(fd);
    const run = spawnSync(process.execPath, [CLI.bin, ...args], {
      stdio: ['ignore', 'pipe', fd],
      env: {
        PATH: process.env.PATH,
        HOME: ws.path('home'),
        JOURNAL_STREAM: journalStream(dev, ino),
        ...state,
      },
      encoding: 'utf8',
    });
    return { code: run.status, lines: readFileSync(stderrFile, 'utf8').trim().split('\n') };
  } finally {
    closeSync(fd);
  }
}

describe('stderr to the journal', () => {
  it('prefixes each line with its syslog priority when JOURNAL_STREAM names stderr', async () => {
    const ws = await workspace();

    const ok = runWithStderrFile(['apply', ws.path('out')], ws.path('ok.err'), (d, i) => `${d}:${i}`, ws);
    const bad = runWithStderrFile(
      ['apply', ws.path('o2'), '--bogus'],
      ws.path('bad.err'),
      (d, i) => `${d}:${i}`,
      ws,
    );

    expect(ok.code).toBe(0);
    expect(ok.lines.length).toBeGreaterThan(2);
    for (const line of ok.lines) expect(line).toMatch(/^<6>\{"level":30,/);
    expect(bad.code).toBe(2);
    expect(bad.lines).toEqual([expect.stringMatching(/^<3>\{"level":50,.*Nonexistent flag: --bogus/)]);
  });

  it('leaves lines plain when JOURNAL_STREAM names another stream (inherited from a parent)', async () => {
    const ws = await workspace();

    const run = runWithStderrFile(['apply', ws.path('out')], ws.path('x.err'), (d, i) => `${d}:${i + 1}`, ws);

    expect(run.code).toBe(0);
    for (const line of run.lines) expect(line).toMatch(/^\{"level":/);
  });
});
