import { mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { lstat, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type LogLine, stateOf, type Workspace } from '@tempered/testkit';
import { describe, expect, it } from 'vitest';
import { workspace } from './helpers.js';
import { expectSameTree, PAST, snapshot, tempFiles } from './trees.js';

const DIRS = 40;
const FILES_PER_DIR = 100;

/** 4,000 small files in 40 directories, each file's content naming it (so a partial file shows). */
function bigTree(root: string): void {
  for (let d = 0; d < DIRS; d++) {
    const dir = join(root, `dir ${d}`);
    mkdirSync(dir, { recursive: true });
    for (let f = 0; f < FILES_PER_DIR; f++) {
      const path = join(dir, `file-${f}.txt`);
      writeFileSync(path, `${d}/${f} `.repeat(20 + (f % 50)));
      utimesSync(path, PAST, PAST);
    }
  }
}

/**
 * The temp tags (see src/tree/tempName.ts) recorded in the open journal, the one a later run
 * resumes: those whose temp files that run removes.
 */
async function recordedTempTags(ws: Workspace): Promise<string[]> {
  const open = (await stateOf(ws).journals()).filter((journal) => !journal.archived);
  return open
    .flatMap((journal) => journal.entries.map((entry) => entry.step))
    .filter((step) => step.startsWith('temp-files:'))
    .map((step) => step.slice('temp-files:'.length));
}

const isApplied = (line: LogLine) => line.msg === 'action applied' && line.kind === 'create';

/** A real child process syncing a bigTree, once it has applied a few hundred actions. */
async function startBigSync() {
  const ws = await workspace();
  const src = ws.path('src');
  const dst = ws.path('dst');
  bigTree(src);
  const a = ws.start(['sync', src, dst, '--log-level', 'debug']);
  let applied = 0;
  await a.waitForLog((line) => isApplied(line) && ++applied >= 300);
  return { ws, src, dst, a };
}

describe('kill -9 mid-sync', () => {
  it('leaves no partial file at any final path, and the re-run copies only what is missing and converges', async () => {
    // Act 1: a real child process, killed once it has applied a few hundred actions
    const { ws, src, dst, a } = await startBigSync();
    a.kill('SIGKILL');
    const killed = await a.exit;
    expect(killed.signal).toBe('SIGKILL');
    expect(killed.logs.map((line) => line.msg)).not.toContain('run finished');

    // Assess 1: whatever exists at a final path is complete
    const after = await snapshot(dst);
    const source = await snapshot(src);
    const files = Object.entries(after).filter(
      ([path, snap]) => snap.type === 'file' && !path.includes('.fstmp-'),
    );
    expect(files.length).toBeGreaterThan(0);
    expect(files.length).toBeLessThan(DIRS * FILES_PER_DIR);
    for (const [path, snap] of files) {
      expect(snap.content, `partial content at ${JSON.stringify(path)}`).toBe(source[path]?.content);
    }
    // the kill may have landed between a temp file's copy and its rename; plant one such leftover
    // in any case, so the clean-up is always exercised
    const killedTemps = (await tempFiles(dst)).length;
    const [tag] = await recordedTempTags(ws);
    expect(tag).toMatch(/^[0-9a-f]{16}$/);
    const leftover = join(dst, 'dir 0', `.file-0.txt.fstmp-${tag}-beef`);
    await lstat(join(dst, 'dir 0'));
    await writeFile(leftover, 'half a fi');
    const missing = Object.keys(source).filter((path) => !(path in after));
    const missingBytes = missing.reduce(
      (sum, path) => sum + Buffer.from(source[path]?.content ?? '', 'base64').length,
      0,
    );
    const survivor = files[0]?.[0] ?? '';
    const survivorBefore = await lstat(join(dst, survivor));

    // Act 2: the same command again
    const b = await ws.run(['sync', src, dst, '--json']);

    // Assess 2: exit 0, only the missing entries created, nothing re-copied, the tree converged
    expect(b.code).toBe(0);
    expect(b.logs.find((line) => line.msg === 'took over stale lock')).toMatchObject({
      previous_owner: { pid: a.pid },
    });
    const { sync } = JSON.parse(b.stdout).result;
    expect(sync).toMatchObject({
      created: missing.length,
      bytesCopied: missingBytes,
      tempFilesRemoved: killedTemps + 1,
    });
    const survivorAfter = await lstat(join(dst, survivor));
    expect([survivorAfter.ino, survivorAfter.mtimeMs]).toEqual([survivorBefore.ino, survivorBefore.mtimeMs]);
    expect(await tempFiles(dst)).toEqual([]);
    expectSameTree(await snapshot(dst, { withRoot: true }), await snapshot(src, { withRoot: true }));
    expect(await readFile(join(dst, 'dir 0', 'file-0.txt'), 'utf8')).toBe('0/0 '.repeat(20));

    const c = await ws.run(['sync', src, dst]);
    expect(c.stdout).toMatch(/^No changes: /);
  });
});

describe('SIGTERM mid-sync', () => {
  it('stops at an action boundary with exit 143 (copies are synchronous, the signal still gets through)', async () => {
    const { ws, src, dst, a } = await startBigSync();
    a.kill('SIGTERM');
    const stopped = await a.exit;

    expect(stopped.code).toBe(143);
    expect(stopped.logs.find((line) => line.level === 50)).toMatchObject({ code: 'E_INTERRUPTED' });
    const done = stopped.logs.filter(isApplied).length;
    expect(done).toBeLessThan(DIRS * FILES_PER_DIR);
    expect(await tempFiles(dst)).toEqual([]);
    expect((await stateOf(ws).runRecords()).map((r) => r.status)).toEqual(['interrupted']);

    const rerun = await ws.run(['sync', src, dst]);
    expect(rerun.code).toBe(0);
    expectSameTree(await snapshot(dst, { withRoot: true }), await snapshot(src, { withRoot: true }));
  });
});
