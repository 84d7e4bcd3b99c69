import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchDir } from '../paths.js';
import { type PairResult, runPair } from '../runPair.js';

/** 100,000 JSON lines, 5 keys, redaction on: core's logger vs raw pino to the same destination. */
export function loggerSuite(options: { quick: boolean }): PairResult[] {
  const lines = options.quick ? '5000' : '100000';
  const dir = mkdtempSync(join(tmpdir(), 'tempered-bench-log-'));
  const script = (name: string) => join(benchDir, 'scripts', name);
  return [
    runPair(
      'logger',
      `${lines} lines, 5 keys, redaction`,
      {
        label: 'core logger',
        argv: [process.execPath, script('logger-core.mjs'), join(dir, 'core.log'), lines],
      },
      {
        label: 'raw pino',
        argv: [process.execPath, script('logger-pino.mjs'), join(dir, 'pino.log'), lines],
      },
      { runs: options.quick ? 3 : 10, warmup: 1, maxRatio: 1.2 },
    ),
  ];
}
