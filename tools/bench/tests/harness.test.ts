import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { findPostgresBin } from '@tempered/testkit';
import { describe, expect, it } from 'vitest';
import { runOnce } from '../src/measure.js';
import { toMarkdown } from '../src/report.js';
import { median, summarize } from '../src/statistics.js';

const run = promisify(execFile);

describe('statistics', () => {
  it('takes the median of odd and even samples', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(summarize([5, 1, 3], [100, 300])).toEqual({
      runs: 3,
      medianMs: 3,
      minMs: 1,
      maxMs: 5,
      maxRssKiB: 300,
    });
  });
});

describe('runOnce', () => {
  it('fails loudly when the measured command fails', () => {
    expect(() => runOnce({ label: 'false', argv: [process.execPath, '-e', 'process.exit(3)'] })).toThrow(
      /false exited 3/,
    );
  });
});

// the harness end to end in --quick mode: a smoke test, never a timing assertion
describe('pnpm bench --quick', () => {
  it('prints the Markdown table and writes the JSON results', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'bench-smoke-')), 'results.json');
    const main = resolve(import.meta.dirname, '../dist/main.js');
    const { stdout } = await run(process.execPath, [main, '--quick', '--only', 'logger', '--out', out]);
    expect(stdout).toMatch(/^\| suite \| benchmark \|/);
    expect(stdout).toContain('| logger | 5000 lines, 5 keys, redaction | core logger:');
    const json = JSON.parse(readFileSync(out, 'utf8'));
    expect(json.quick).toBe(true);
    expect(json.results).toHaveLength(1);
    expect(json.results[0].ratio).toBeGreaterThan(0);
  });
});

describe('toMarkdown', () => {
  const side = (label: string, medianMs: number) => ({
    label,
    runs: 1,
    medianMs,
    minMs: medianMs,
    maxMs: medianMs,
  });
  it('shows an overhead in ms and throughput rates beside the ratio', () => {
    const table = toMarkdown([
      {
        suite: 'state',
        name: 'no-op',
        subject: side('pg', 120),
        reference: side('file', 100),
        ratio: 1.2,
        differenceMs: 20,
        target: '<= +30 ms',
        met: true,
      },
      {
        suite: 'state',
        name: 'records',
        subject: side('pg', 2000),
        reference: side('file', 1000),
        ratio: 2,
        rate: { unit: 'records', subject: 2000, reference: 4000 },
        target: '>= 2000 records/s',
        met: true,
      },
    ]);
    expect(table).toContain('| 1.2x (+20 ms) | <= +30 ms met |');
    expect(table).toContain('| 2x (2000 vs 4000 records/s) | >= 2000 records/s met |');
  });
});

// starts its own PostgreSQL cluster; where PostgreSQL is not installed the suite must say so and skip
describe('pnpm bench --quick --only state', () => {
  it('measures both state benchmarks on a real cluster, or says why it skipped', {
    timeout: 180_000,
  }, async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'bench-state-')), 'results.json');
    const main = resolve(import.meta.dirname, '../dist/main.js');
    const { stdout, stderr } = await run(process.execPath, [
      main,
      '--quick',
      '--only',
      'state',
      '--out',
      out,
    ]);
    const results = JSON.parse(readFileSync(out, 'utf8')).results;
    if ((await findPostgresBin()) === undefined) {
      expect(stderr).toContain('state suite skipped: needs PostgreSQL');
      expect(results).toEqual([]);
      return;
    }
    expect(stdout).toContain('| state | idempotency records (begin + complete), 8 processes x 25 keys; ');
    // the suite says whether it split the machine between server and clients, and how
    expect(stdout).toMatch(
      /; (PostgreSQL pinned to CPU 0, clients to CPU 1 \(taskset\)|not pinned: [^|]+) \|/,
    );
    expect(results.at(-1).rate.subject).toBeGreaterThan(0);
    if (existsSync(resolve(import.meta.dirname, '../../../packages/file-sync/dist'))) {
      expect(stdout).toMatch(/\| state \| no-op run .* \| [\d.]+x \([+-][\d.]+ ms\) \|/);
      expect(results).toHaveLength(2);
    }
  });
});
