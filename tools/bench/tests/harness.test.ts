import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { runOnce } from '../src/measure.js';
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
