/**
 * resource-cleanup killed at 20+ points of `run --yes` over ~30 old files, then re-run: the re-run
 * exits 0, every candidate is gone, protected and young files stay, and no deletion is repeated:
 * the audit log holds exactly one outcome line per deleted path across both runs.
 */
import { mkdir, readFile, stat, utimes, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import {
  crashAt,
  crashMatrix,
  describeKillPoint,
  type KillPoint,
  spread,
  type Workspace,
} from '@tempered/testkit';
import { describe, expect, it } from 'vitest';
import { CLEANUP } from './suite.js';

const OLD = Date.UTC(2020, 0, 1) / 1000;
const DIRS = ['', 'a/', 'a/b/', 'c/'];
const CANDIDATES = Array.from({ length: 30 }, (_, i) => `${DIRS[i % DIRS.length]}old-${i}.log`);
/** Old but protected (`*keep*`), young, or not matching `*.log`: never deleted. */
const KEPT = [
  'keep-1.log',
  'a/keep-2.log',
  'a/b/keep-3.log',
  'young-1.log',
  'c/young-2.log',
  'a/old-notes.txt',
];

async function makeData(ws: Workspace): Promise<string> {
  for (const path of [...CANDIDATES, ...KEPT]) {
    const file = ws.path('data', path);
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, `${path}\n`);
    if (!path.includes('young')) await utimes(file, OLD, OLD);
  }
  return ws.writeConfig('tempered.json', {
    'resource-cleanup': {
      rules: [{ name: 'old-logs', path: 'data', match: ['*.log'], olderThan: '1d', protect: ['*keep*'] }],
    },
  });
}

const runArgs = (config: string): string[] => ['run', '--yes', '--config', config, '--log-level', 'debug'];

const exists = (path: string): Promise<boolean> =>
  stat(path).then(
    () => true,
    () => false,
  );

interface AuditLine {
  event: string;
  rule: string;
  target: string;
}

async function readAudit(ws: Workspace): Promise<AuditLine[]> {
  const text = await readFile(
    ws.path('state', 'tempered', 'resource-cleanup', 'default', 'audit.jsonl'),
    'utf8',
  );
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as AuditLine);
}

/**
 * No deletion repeated: each candidate has at most one outcome line (`deleted`, or `already-gone`
 * when a crashed run deleted it and the re-run retried it or found it gone) across both runs, and
 * none without a `deleting` line before it; nothing else is audited. With `complete` (a finished
 * run, or a crashed one and its re-run), exactly one outcome each: a deletion cut off between the
 * unlink and its outcome line gets its `already-gone` from the re-run.
 */
function expectEachDeletedOnce(audit: readonly AuditLine[], complete: boolean): void {
  const targets = new Set(CANDIDATES.map((path) => `old-logs: ${path}`));
  for (const line of audit) expect(targets, `${line.target} was audited`).toContain(line.target);
  for (const target of targets) {
    const lines = audit.filter((line) => line.target === target);
    const outcomes = lines.filter((line) => line.event !== 'deleting');
    expect(lines[0]?.event, `${target}: its first audit line`).toBe('deleting');
    expect(outcomes.length, `${target}: ${JSON.stringify(outcomes)}`).toBeLessThanOrEqual(1);
    if (complete) expect(outcomes, target).toHaveLength(1);
    for (const line of outcomes) expect(['deleted', 'already-gone'], target).toContain(line.event);
  }
}

const POINTS: KillPoint[] = [
  { at: 'deletion confirmed', nth: 1 },
  ...crashMatrix({ at: 'deleting', nth: spread(1, CANDIDATES.length, 10) }),
  ...crashMatrix({ at: 'deleted', nth: spread(1, CANDIDATES.length - 1, 6) }),
  ...crashMatrix({ at: 'action applied', nth: [2, 15] }),
  { at: 'deleting', nth: 12, signal: 'SIGTERM' },
  ...crashMatrix({ afterMs: [200, 350] }),
];

describe('resource-cleanup: killed at any point, a re-run finishes without repeating a deletion', () => {
  it('a clean run deletes every candidate once and keeps the rest', async () => {
    const ws = await CLEANUP.workspace();
    const config = await makeData(ws);

    const result = await ws.run(runArgs(config));

    expect(result.code, result.stderr).toBe(0);
    for (const path of CANDIDATES) expect(await exists(ws.path('data', path)), path).toBe(false);
    for (const path of KEPT) expect(await exists(ws.path('data', path)), path).toBe(true);
    const audit = await readAudit(ws);
    expectEachDeletedOnce(audit, true);
    expect(audit.filter((line) => line.event === 'deleted')).toHaveLength(CANDIDATES.length);
  });

  it('has at least 20 kill points', () => {
    expect(POINTS.length).toBeGreaterThanOrEqual(20);
  });

  let interrupted = 0;
  for (const point of POINTS) {
    it(`kill point: ${describeKillPoint(point)}`, async () => {
      const ws = await CLEANUP.workspace();
      const config = await makeData(ws);

      const run = await crashAt(ws, runArgs(config), point, {
        afterCrash: async () => {
          for (const path of KEPT) expect(await exists(ws.path('data', path)), path).toBe(true);
        },
      });

      if (run.interrupted) interrupted++;
      expect(run.rerun.code, run.rerun.stderr).toBe(0);
      for (const path of CANDIDATES) expect(await exists(ws.path('data', path)), path).toBe(false);
      for (const path of KEPT) expect(await exists(ws.path('data', path)), path).toBe(true);
      expectEachDeletedOnce(await readAudit(ws), true);
    });
  }

  it('really cut runs short: kill points before the end interrupted the run', () => {
    expect(interrupted).toBeGreaterThan(0);
  });
});
