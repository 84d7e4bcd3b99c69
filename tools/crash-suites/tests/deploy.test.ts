/**
 * deploy killed at 20+ points of `release v2` over a good v1 (every log line of the run, and some
 * delays), then re-run: `current` always resolves to a complete release (v1 or v2), after the
 * re-run it is v2 and complete, and `current` moved at most once.
 */
import { mkdir, readFile, readlink, symlink, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import {
  crashAt,
  crashMatrix,
  describeKillPoint,
  type KillPoint,
  type LogLine,
  spread,
  type Workspace,
} from '@tempered/testkit';
import { describe, expect, it } from 'vitest';
import { DEPLOY, snapshot } from './suite.js';

/** Log lines of a clean `release v2` (with the hooks below): 21. */
const LINES = 21;

async function makeArtifact(ws: Workspace, version: string): Promise<void> {
  for (let i = 0; i < 30; i++) {
    const file = ws.path(`art-${version}`, ['', 'lib/', 'lib/deep/', 'assets/'][i % 4] ?? '', `f${i}.txt`);
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, `${version} file ${i}\n`.repeat(i * 50 + 1));
  }
  await symlink('lib/f1.txt', ws.path(`art-${version}`, 'entry'));
}

async function setUp(ws: Workspace): Promise<string> {
  await makeArtifact(ws, 'v1');
  await makeArtifact(ws, 'v2');
  const config = await ws.writeConfig('tempered.json', {
    deploy: {
      target: { path: 'target' },
      hooks: { beforeSwitch: ['echo before-1; echo before-2'], afterSwitch: ['echo after-1'] },
    },
  });
  const v1 = await ws.run(['release', ws.path('art-v1'), '--version', 'v1', '--config', config]);
  expect(v1.code, v1.stderr).toBe(0);
  return config;
}

const releaseV2 = (ws: Workspace, config: string): string[] => [
  'release',
  ws.path('art-v2'),
  '--version',
  'v2',
  '--config',
  config,
  '--log-level',
  'debug',
];

/** `current` points at releases/v1 or releases/v2, and that directory is exactly the artifact. */
async function expectCompleteCurrent(ws: Workspace): Promise<string> {
  const link = await readlink(ws.path('target', 'current'));
  expect(['releases/v1', 'releases/v2']).toContain(link);
  const version = link.slice('releases/'.length);
  expect(await snapshot(ws.path('target', link), { contentOnly: true })).toEqual(
    await snapshot(ws.path(`art-${version}`), { contentOnly: true }),
  );
  return version;
}

/** `switched current` lines that moved `current` (a resumed switch step logs from v2 to v2). */
const moves = (lines: readonly LogLine[]): LogLine[] =>
  lines.filter((line) => line.msg === 'switched current' && line.from !== line.release);

const POINTS: KillPoint[] = [
  ...crashMatrix({ at: () => true, nth: spread(1, LINES - 1, 20), label: 'SIGKILL at log line' }),
  { at: 'switched current', nth: 1, signal: 'SIGTERM' },
  ...crashMatrix({ afterMs: [150, 300, 450] }),
];

describe('deploy: killed at any point of a release, current is always complete and moves once', () => {
  it('a clean release v2 logs the lines the kill points count', async () => {
    const ws = await DEPLOY.workspace();
    const config = await setUp(ws);

    const result = await ws.run(releaseV2(ws, config));

    expect(result.code, result.stderr).toBe(0);
    expect(result.logs.length).toBeGreaterThanOrEqual(LINES);
    expect(moves(result.logs).map((line) => [line.from, line.release])).toEqual([['v1', 'v2']]);
    expect(await expectCompleteCurrent(ws)).toBe('v2');
  });

  it('has at least 20 kill points', () => {
    expect(POINTS.length).toBeGreaterThanOrEqual(20);
  });

  let interrupted = 0;
  for (const point of POINTS) {
    it(`kill point: ${describeKillPoint(point)}`, async () => {
      const ws = await DEPLOY.workspace();
      const config = await setUp(ws);

      const run = await crashAt(ws, releaseV2(ws, config), point, {
        afterCrash: async () => {
          await expectCompleteCurrent(ws);
        },
      });

      if (run.interrupted) interrupted++;
      expect(run.rerun.code, run.rerun.stderr).toBe(0);
      expect(await expectCompleteCurrent(ws)).toBe('v2');
      const switched = moves([...run.lines, ...run.rerun.logs]);
      expect(switched.length).toBeLessThanOrEqual(1);
      for (const line of switched) expect([line.from, line.release]).toEqual(['v1', 'v2']);
      const log = JSON.parse(await readFile(ws.path('target', 'release-log.json'), 'utf8'));
      expect(log.releases.find((release: { id: string }) => release.id === 'v2')?.status).toBe('good');
    });
  }

  it('really cut runs short: kill points before the end interrupted the release', () => {
    expect(interrupted).toBeGreaterThan(0);
  });
});
