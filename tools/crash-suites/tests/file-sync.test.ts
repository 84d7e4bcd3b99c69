/**
 * file-sync killed at 20+ points of a sync of ~40 files (nested directories, big and small files,
 * modes, symlinks, stale copies to update), then re-run: nothing partial at a final path after the
 * kill, and after the re-run the destination is exactly what a clean sync makes, with no temp file.
 */
import { chmod, mkdir, symlink, utimes, writeFile } from 'node:fs/promises';
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
import { FILE_SYNC, hashOf, snapshot } from './suite.js';

const DIRS = ['a', 'a/b', 'a/b/c', 'd', 'd/e', 'd/e/f', 'g'];
const FILES = Array.from(
  { length: 40 },
  (_, i) => `${DIRS[i % DIRS.length]}/file-${String(i).padStart(2, '0')}.dat`,
);
const BIG = new Set([3, 11, 19, 27]); // 1 MiB each: copies long enough to be cut off
const LINKS: Record<string, string> = {
  'a/link-up': '../g',
  'd/e/link-file': 'f/file-05.dat',
  'g/dangling': 'nowhere',
};
/** Files already in the destination with other content (updated by the sync). */
const STALE = new Set([2, 9, 16, 33].map((i) => FILES[i] ?? ''));
const BASE_MTIME = Date.UTC(2024, 0, 1) / 1000;

/**
 * 'action applied' lines of a clean sync, at least: 40 copies, 3 links, mkdir of `g`. The `attrs`
 * actions of the directories the stale copies made come on top, some or all depending on timing.
 */
const ACTIONS = FILES.length + Object.keys(LINKS).length + 1;

const contentOf = (i: number): string =>
  BIG.has(i) ? `big file ${i}\n`.repeat(80_000) : `file ${i}\n`.repeat(i * 7 + 1);
const staleOf = (path: string): string => `stale copy of ${path}\n`;

async function makeTrees(ws: Workspace): Promise<void> {
  for (const [i, path] of FILES.entries()) {
    const file = ws.path('src', path);
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, contentOf(i));
    if (i % 5 === 0) await chmod(file, 0o755);
    if (i % 7 === 0) await chmod(file, 0o600);
    await utimes(file, BASE_MTIME + i * 60, BASE_MTIME + i * 60);
  }
  for (const [path, target] of Object.entries(LINKS)) await symlink(target, ws.path('src', path));
  for (const path of STALE) {
    const file = ws.path('dst', path);
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, staleOf(path));
    await utimes(file, BASE_MTIME - 86_400, BASE_MTIME - 86_400);
  }
}

const syncArgs = (ws: Workspace): string[] => [
  'sync',
  ws.path('src'),
  ws.path('dst'),
  '--log-level',
  'debug',
];

const isTemp = (path: string): boolean => /(^|\/)\.[^/]*\.fstmp-[0-9a-f]{16}-[0-9a-f]+$/s.test(path);

/** What a kill may leave: temp files, and at a final path only the source's entry or the stale copy. */
async function expectNothingPartial(ws: Workspace): Promise<void> {
  const source = await snapshot(ws.path('src'), { contentOnly: true });
  const left = await snapshot(ws.path('dst'), { contentOnly: true });
  for (const [path, entry] of Object.entries(left)) {
    if (isTemp(path)) continue;
    const want = source[path];
    expect(want, `${path} is not in the source`).toBeDefined();
    expect(entry.type, path).toBe(want?.type);
    if (entry.type === 'dir') continue;
    const allowed = [want?.content];
    if (STALE.has(path)) allowed.push(hashOf(staleOf(path)));
    expect(allowed, `${path} holds partial or foreign content`).toContain(entry.content);
  }
}

const POINTS: KillPoint[] = [
  { at: 'applying plan', nth: 1 },
  ...crashMatrix({ at: 'action applied', nth: spread(1, ACTIONS, 17) }),
  { at: 'action applied', nth: 20, signal: 'SIGTERM' },
  ...crashMatrix({ afterMs: [200, 350] }),
];

describe('file-sync: killed at any point, a re-run ends exactly like a clean sync', () => {
  it('a clean sync mirrors the source: paths, types, modes, content, mtimes, link targets', async () => {
    const ws = await FILE_SYNC.workspace();
    await makeTrees(ws);

    const result = await ws.run(syncArgs(ws));

    expect(result.code, result.stderr).toBe(0);
    expect(result.logs.filter((line) => line.msg === 'action applied').length).toBeGreaterThanOrEqual(
      ACTIONS,
    );
    expect(await snapshot(ws.path('dst'))).toEqual(await snapshot(ws.path('src')));
  });

  it('has at least 20 kill points', () => {
    expect(POINTS.length).toBeGreaterThanOrEqual(20);
  });

  let interrupted = 0;
  for (const point of POINTS) {
    it(`kill point: ${describeKillPoint(point)}`, async () => {
      const ws = await FILE_SYNC.workspace();
      await makeTrees(ws);

      const run = await crashAt(ws, syncArgs(ws), point, {
        afterCrash: () => expectNothingPartial(ws),
      });

      if (run.interrupted) interrupted++;
      expect(run.rerun.code, run.rerun.stderr).toBe(0);
      const after = await snapshot(ws.path('dst'));
      expect(Object.keys(after).filter(isTemp)).toEqual([]);
      expect(after).toEqual(await snapshot(ws.path('src')));
    });
  }

  it('really cut runs short: kill points before the end interrupted the sync', () => {
    expect(interrupted).toBeGreaterThan(0);
  });
});
