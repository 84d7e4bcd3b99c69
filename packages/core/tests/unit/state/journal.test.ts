import { appendFile, mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InternalError } from '../../../src/errors/index.js';
import { Redactor } from '../../../src/log/index.js';
import { FileStateStore } from '../../../src/state/index.js';
import { captureLog, withTempDir } from './helpers.js';

let dir: string;
let cleanup: () => Promise<void>;

beforeEach(async () => {
  ({ dir, cleanup } = await withTempDir('journal'));
});
afterEach(() => cleanup());

const journalFile = (key: string) => join(dir, 'journals', `${key}.jsonl`);

describe('Method: FileStateStore.openJournal', () => {
  it('starts fresh, records steps and hands results back after a reopen', async () => {
    // Prepare
    const store = new FileStateStore(dir);
    const journal = await store.openJournal('target-1');
    expect(journal.resumed).toBe(false);
    // Act
    await journal.begin('a', { kind: 'create' });
    await journal.complete('a', { id: 42 });
    await journal.begin('b');
    // Assess
    expect(journal.isCompleted('a')).toBe(true);
    expect(journal.result('a')).toEqual({ id: 42 });
    const reopened = await store.openJournal('target-1');
    expect(reopened.resumed).toBe(true);
    expect(reopened.completedSteps()).toEqual(['a']);
    expect(reopened.result<{ id: number }>('a')?.id).toBe(42);
    expect(reopened.isCompleted('b')).toBe(false);
    expect(reopened.unfinishedSteps()).toEqual(['b']);
    expect((await stat(journalFile('target-1'))).mode & 0o777).toBe(0o600);
    expect((await stat(join(dir, 'journals'))).mode & 0o777).toBe(0o700);
  });

  it('never lets a completed step begin or complete again', async () => {
    const journal = await new FileStateStore(dir).openJournal('t');
    await journal.complete('a');
    await expect(journal.begin('a')).rejects.toBeInstanceOf(InternalError);
    await expect(journal.complete('a')).rejects.toThrow(/already has it completed/);
    const resumed = await new FileStateStore(dir).openJournal('t');
    await expect(resumed.begin('a')).rejects.toBeInstanceOf(InternalError);
  });

  it('lets a failed step be retried by the next run', async () => {
    const store = new FileStateStore(dir);
    const first = await store.openJournal('t');
    await first.begin('a');
    await first.fail('a', 'HTTP 503');
    const second = await store.openJournal('t');
    expect(second.resumed).toBe(true);
    expect(second.isCompleted('a')).toBe(false);
    expect(second.unfinishedSteps()).toEqual([]);
    await second.begin('a');
    await second.complete('a');
    expect(second.isCompleted('a')).toBe(true);
  });

  it('archives the journal on finish, so the next run starts fresh', async () => {
    const store = new FileStateStore(dir);
    const journal = await store.openJournal('t');
    await journal.complete('a');
    await journal.finish();
    await expect(journal.begin('b')).rejects.toThrow(/finished/);
    const next = await store.openJournal('t');
    expect(next.resumed).toBe(false);
    expect(next.isCompleted('a')).toBe(false);
    const archived = await readdir(join(dir, 'journals', 'archive'));
    expect(archived).toHaveLength(1);
    expect(archived[0]).toMatch(/^\d{8}T\d{9}Z-t\.jsonl$/);
  });

  it('leaves nothing behind for a run that recorded no step', async () => {
    const journal = await new FileStateStore(join(dir, 'env')).openJournal('noop');
    await journal.finish();
    expect(await readdir(dir)).toEqual([]);
  });

  it('keeps only the newest archived journals', async () => {
    let now = Date.parse('2025-01-01T00:00:00Z');
    const store = new FileStateStore(dir, { maxArchivedJournals: 2, now: () => now });
    for (let i = 0; i < 4; i++) {
      now += 1000;
      const journal = await store.openJournal(`t${i}`);
      await journal.complete('a');
      await journal.finish();
    }
    expect((await readdir(join(dir, 'journals', 'archive'))).map((n) => n.slice(20))).toEqual([
      't2.jsonl',
      't3.jsonl',
    ]);
  });

  it('tolerates a line torn by a crash, cuts it off and keeps appending cleanly', async () => {
    // Prepare
    const { logger, messages } = captureLog();
    const store = new FileStateStore(dir, { logger });
    const journal = await store.openJournal('t');
    await journal.complete('a', 1);
    await appendFile(journalFile('t'), '{"t":"complete","step":"b","at":"2025-');
    // Act
    const resumed = await store.openJournal('t');
    await resumed.complete('c', 3);
    // Assess
    expect(resumed.resumed).toBe(true);
    expect(resumed.completedSteps()).toEqual(['a', 'c']);
    expect(messages()).toContain('ignored a torn last journal line');
    const lines = (await readFile(journalFile('t'), 'utf8')).trimEnd().split('\n');
    for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();
    expect((await store.openJournal('t')).completedSteps()).toEqual(['a', 'c']);
  });

  it('skips an unreadable line in the middle and warns', async () => {
    const { logger, messages } = captureLog();
    await writeFile(
      join(await mkJournals(), 't.jsonl'),
      '{"t":"complete","step":"a","at":"x"}\nnot json\n{"t":"complete","step":"b","at":"x"}\n',
    );
    const journal = await new FileStateStore(dir, { logger }).openJournal('t');
    expect(journal.completedSteps()).toEqual(['a', 'b']);
    expect(messages()).toContain('skipped an unreadable journal line');
  });

  it('redacts secrets in step details and failure messages, but keeps results intact', async () => {
    const redactor = new Redactor();
    redactor.addSecret('s3cr3t-value');
    const journal = await new FileStateStore(dir, { redactor }).openJournal('t');
    await journal.begin('a', { password: 'x', note: 'uses s3cr3t-value' });
    await journal.fail('a', 'auth s3cr3t-value rejected');
    const text = await readFile(journalFile('t'), 'utf8');
    expect(text).not.toContain('s3cr3t-value');
    expect(text).toContain('[REDACTED]');
  });

  it('keeps records in call order when writes are not awaited one by one', async () => {
    const store = new FileStateStore(dir);
    const journal = await store.openJournal('t');
    await Promise.all(Array.from({ length: 20 }, (_, i) => journal.complete(`s${i}`, i)));
    const reopened = await store.openJournal('t');
    expect(reopened.completedSteps()).toEqual(Array.from({ length: 20 }, (_, i) => `s${i}`));
  });

  it('maps any key, however odd, to one safe file', async () => {
    const store = new FileStateStore(dir);
    const key = '/srv/app/../etc/passwd with spaces';
    const journal = await store.openJournal(key);
    await journal.complete('a');
    const [name] = await readdir(join(dir, 'journals'));
    expect(name).toMatch(/^srv_app_.*~[0-9a-f]{16}\.jsonl$/);
    expect((await store.openJournal(key)).isCompleted('a')).toBe(true);
  });
});

async function mkJournals(): Promise<string> {
  const path = join(dir, 'journals');
  await mkdir(path, { recursive: true });
  return path;
}
