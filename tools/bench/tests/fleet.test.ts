import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);

// starts its own sshd hosts; a smoke test of the suite end to end, never a timing assertion
describe('pnpm bench --quick --only fleet', () => {
  it('deploys to 2 real sshd hosts and to 1, redeploys as a no-op, or says why it skipped', {
    timeout: 180_000,
  }, async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'bench-fleet-')), 'results.json');
    const main = resolve(import.meta.dirname, '../dist/main.js');
    const { stdout, stderr } = await run(process.execPath, [
      main,
      '--quick',
      '--only',
      'fleet',
      '--out',
      out,
    ]);
    const results = JSON.parse(readFileSync(out, 'utf8')).results;
    const deployBuilt = existsSync(resolve(import.meta.dirname, '../../../packages/deploy/dist'));
    if (!existsSync('/usr/sbin/sshd') || !deployBuilt) {
      expect(stderr).toMatch(/fleet suite skipped: needs /);
      expect(results).toEqual([]);
      return;
    }
    expect(stdout).toContain(
      '| fleet | deploy of a 1 MB artifact, parallel, 2 hosts vs 1 host; load before: ',
    );
    expect(stdout).toContain(
      '| fleet | no-op redeploy of the 1 MB artifact, 2 hosts vs 1 host; load before: ',
    );
    expect(stdout).toMatch(/\| 2 hosts <= 2000 ms (met|MISSED) \|/);
    expect(results).toHaveLength(2);
    for (const result of results) {
      expect(result.subject.medianMs).toBeGreaterThan(0);
      expect(result.reference.medianMs).toBeGreaterThan(0);
    }
  });
});
