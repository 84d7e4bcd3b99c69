import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { diffFacts, driftError, PLAN_FORMAT, readSavedPlan, type SavedPlan } from '../../../src/job/index.js';

const plan = (over: Partial<SavedPlan> = {}): SavedPlan => ({
  format: PLAN_FORMAT,
  cli: 'probe',
  command: 'run',
  version: '1.0.0',
  environment: 'default',
  createdAt: new Date().toISOString(),
  target: '/t',
  input: { flags: {}, args: {}, cwd: '/' },
  configHash: 'none',
  facts: {},
  plan: { actions: [], warnings: [], policy: { onError: 'stop' }, info: {} },
  ...over,
});

async function file(content: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'saved-plan-'));
  onTestFinished(() => rm(dir, { recursive: true, force: true }));
  const path = join(dir, 'p.plan');
  await writeFile(path, content);
  return path;
}

describe('saved plans', () => {
  it('lists what changed, appeared and went away', () => {
    expect(diffFacts({ a: '1', b: '2', c: '3' }, { a: '1', b: '9', d: '4' })).toEqual([
      'changed: b (2 -> 9)',
      'gone: c',
      'new: d',
    ]);
    expect(diffFacts({ a: '1' }, { a: '1' })).toEqual([]);
  });

  it('names the first twenty changes and counts the rest', () => {
    const lines = Array.from({ length: 25 }, (_, i) => `new: f${i}`);
    const message = driftError('p.plan', lines).message;
    expect(message).toContain('new: f19');
    expect(message).not.toContain('new: f20');
    expect(message).toContain('and 5 more');
  });

  it('reads a plan of this CLI and refuses another CLI, an old plan, a newer format and garbage', async () => {
    expect((await readSavedPlan(await file(JSON.stringify(plan())), { cli: 'probe' })).target).toBe('/t');
    await expect(
      readSavedPlan(await file(JSON.stringify(plan({ cli: 'deploy' }))), { cli: 'probe' }),
    ).rejects.toThrow('was made by deploy, not probe');
    const old = new Date(Date.now() - 25 * 3600_000).toISOString();
    await expect(
      readSavedPlan(await file(JSON.stringify(plan({ createdAt: old }))), { cli: 'probe' }),
    ).rejects.toThrow('over 24 hours ago');
    await expect(
      readSavedPlan(await file(JSON.stringify({ ...plan(), format: 'tempered-plan/2' })), { cli: 'probe' }),
    ).rejects.toThrow('is not a saved plan: format');
    await expect(readSavedPlan(await file('{'), { cli: 'probe' })).rejects.toThrow('it is not JSON');
    await expect(readSavedPlan('/nonexistent/p.plan', { cli: 'probe' })).rejects.toThrow(
      'cannot read the plan file',
    );
  });
});
