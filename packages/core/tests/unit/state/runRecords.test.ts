import { readdir, readFile, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InternalError } from '../../../src/errors/index.js';
import { Redactor } from '../../../src/log/index.js';
import { FileStateStore, type RunRecord } from '../../../src/state/index.js';
import { withTempDir } from './helpers.js';

let root: string;
let dir: string;
let cleanup: () => Promise<void>;

beforeEach(async () => {
  ({ dir: root, cleanup } = await withTempDir('runs'));
  dir = join(root, 'deploy', 'production');
});
afterEach(() => cleanup());

function run(n: number, overrides: Partial<RunRecord> = {}): RunRecord {
  const startedAt = new Date(Date.UTC(2025, 0, 1, 0, n)).toISOString();
  return {
    runId: `run-${n}`,
    cli: 'deploy',
    command: 'release',
    environment: 'production',
    status: 'success',
    exitCode: 0,
    startedAt,
    finishedAt: new Date(Date.parse(startedAt) + 1500).toISOString(),
    durationMs: 1500,
    counts: { actions_create: n },
    retries: 0,
    ...overrides,
  };
}

describe('Class: FileStateStore', () => {
  describe('Method: recordRun / listRuns', () => {
    it('creates nothing until something is written', async () => {
      const store = new FileStateStore(dir);
      expect(await store.listRuns()).toEqual([]);
      expect(await readdir(root)).toEqual([]);
    });

    it('stores one private file per run in 0700 directories and lists them newest first', async () => {
      // Prepare
      const store = new FileStateStore(dir);
      // Act
      for (const n of [2, 1, 3]) await store.recordRun(run(n));
      // Assess
      expect((await store.listRuns()).map((r) => r.runId)).toEqual(['run-3', 'run-2', 'run-1']);
      for (const d of [join(root, 'deploy'), dir, join(dir, 'runs')])
        expect((await stat(d)).mode & 0o777).toBe(0o700);
      const files = await readdir(join(dir, 'runs'));
      expect(files).toHaveLength(3);
      for (const file of files) expect((await stat(join(dir, 'runs', file))).mode & 0o777).toBe(0o600);
      expect(files.sort()[0]).toMatch(/^20250101T000100000Z-run-1\.json$/);
    });

    it('filters by start time and limits the count', async () => {
      const store = new FileStateStore(dir);
      for (let n = 1; n <= 5; n++) await store.recordRun(run(n));
      const since = new Date(Date.UTC(2025, 0, 1, 0, 3));
      expect((await store.listRuns({ since })).map((r) => r.runId)).toEqual(['run-5', 'run-4', 'run-3']);
      expect((await store.listRuns({ limit: 2 })).map((r) => r.runId)).toEqual(['run-5', 'run-4']);
    });

    it('prunes to the newest maxRuns so the directory cannot grow forever', async () => {
      const store = new FileStateStore(dir, { maxRuns: 3 });
      for (let n = 1; n <= 6; n++) await store.recordRun(run(n));
      expect((await store.listRuns()).map((r) => r.runId)).toEqual(['run-6', 'run-5', 'run-4']);
      expect(await readdir(join(dir, 'runs'))).toHaveLength(3);
    });

    it('redacts known secrets from the failure message', async () => {
      const redactor = new Redactor();
      redactor.addSecret('hunter2-secret');
      const store = new FileStateStore(dir, { redactor });
      await store.recordRun(
        run(1, {
          status: 'failure',
          exitCode: 1,
          failure: { code: 'E_HTTP', message: 'login hunter2-secret refused' },
        }),
      );
      const [file] = await readdir(join(dir, 'runs'));
      const text = await readFile(join(dir, 'runs', file ?? ''), 'utf8');
      expect(text).not.toContain('hunter2-secret');
      expect((await store.listRuns())[0]?.failure?.message).toBe('login [REDACTED] refused');
    });

    it('refuses a malformed record as a bug', async () => {
      const store = new FileStateStore(dir);
      await expect(
        store.recordRun(run(1, { status: 'bogus' as RunRecord['status'] })),
      ).rejects.toBeInstanceOf(InternalError);
      await expect(store.recordRun(run(1, { startedAt: 'yesterday' }))).rejects.toThrow(/startedAt/);
    });

    it('skips an unreadable record instead of failing stats', async () => {
      const store = new FileStateStore(dir);
      await store.recordRun(run(1));
      await writeFile(join(dir, 'runs', '20250101T000200000Z-broken.json'), '{"runId":');
      expect((await store.listRuns()).map((r) => r.runId)).toEqual(['run-1']);
    });

    it('sweeps temp files a killed writer left behind, once they are old', async () => {
      const store = new FileStateStore(dir);
      await store.recordRun(run(1));
      const leftover = join(dir, 'runs', '.x.json.tmp-1-abc');
      await writeFile(leftover, 'partial');
      const fresh = join(dir, 'runs', '.y.json.tmp-1-def');
      await writeFile(fresh, 'in flight');
      await utimes(leftover, new Date(Date.now() - 2 * 3_600_000), new Date(Date.now() - 2 * 3_600_000));
      await store.recordRun(run(2));
      const names = await readdir(join(dir, 'runs'));
      expect(names).not.toContain('.x.json.tmp-1-abc');
      expect(names).toContain('.y.json.tmp-1-def');
    });

    it('validates its options once, in the constructor', () => {
      expect(() => new FileStateStore(dir, { maxRuns: 0 })).toThrow(/maxRuns/);
    });
  });
});
