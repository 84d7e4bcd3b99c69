import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { builtClis } from '../paths.js';
import { type PairResult, runPair } from '../runPair.js';

const RSYNC = '/usr/bin/rsync';

/** Deterministic sizes, so every run and both tools see the same tree. */
function makeTree(root: string, files: number, minBytes: number, maxBytes: number): void {
  let seed = 42;
  const next = () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed;
  };
  const chunk = Buffer.alloc(maxBytes, 'x');
  for (let i = 0; i < files; i++) {
    const dir = join(root, `d${i % 100}`, `e${Math.floor(i / 100) % 10}`);
    if (i < 1000) mkdirSync(dir, { recursive: true });
    const size = minBytes + (next() % (maxBytes - minBytes + 1));
    writeFileSync(join(dir, `f${i}.dat`), chunk.subarray(0, size));
  }
}

function bigFile(root: string, bytes: number): void {
  mkdirSync(root, { recursive: true });
  const block = Buffer.alloc(1024 * 1024, 7);
  const path = join(root, 'big.bin');
  writeFileSync(path, '');
  for (let written = 0; written < bytes; written += block.length) writeFileSync(path, block, { flag: 'a' });
}

/**
 * file-sync against `rsync -a` on the same trees, same run: first copy of many small files,
 * a no-op re-sync of a large tree, one big file. Targets come from the file-sync issue.
 */
export function fileSyncSuite(options: { quick: boolean }): PairResult[] {
  const cli = builtClis().find((c) => c.name === 'file-sync');
  if (!cli || !existsSync(RSYNC)) {
    process.stderr.write('file-sync suite skipped: needs packages/file-sync built and /usr/bin/rsync\n');
    return [];
  }
  const work = mkdtempSync(join(tmpdir(), 'tempered-bench-fs-'));
  const state = join(work, 'state');
  const fileSync = (src: string, dst: string) => [
    process.execPath,
    cli.bin,
    'sync',
    `${src}/`,
    dst,
    '--state-dir',
    state,
    '--log-level',
    'error',
  ];
  const rsync = (src: string, dst: string) => [RSYNC, '-a', `${src}/`, `${dst}/`];
  const fresh = (dir: string) => () => rmSync(dir, { recursive: true, force: true });
  const results: PairResult[] = [];
  const runs = options.quick ? 2 : 5;

  const small = join(work, 'small');
  const smallCount = options.quick ? 300 : 10_000;
  makeTree(small, smallCount, 1024, 64 * 1024);
  results.push(
    runPair(
      'file-sync',
      `first copy, ${smallCount} files of 1-64 KiB`,
      {
        label: 'file-sync',
        argv: fileSync(small, join(work, 'small-fs')),
        before: fresh(join(work, 'small-fs')),
      },
      {
        label: 'rsync -a',
        argv: rsync(small, join(work, 'small-rs')),
        before: fresh(join(work, 'small-rs')),
      },
      { runs, warmup: 1, maxRatio: 1 },
    ),
  );

  const many = join(work, 'many');
  const manyCount = options.quick ? 2000 : 50_000;
  makeTree(many, manyCount, 1, 256);
  // both destinations in sync before the timed no-op runs
  spawnSync(fileSync(many, join(work, 'many-fs'))[0]!, fileSync(many, join(work, 'many-fs')).slice(1));
  spawnSync(RSYNC, rsync(many, join(work, 'many-rs')).slice(1));
  results.push(
    runPair(
      'file-sync',
      `no-op re-sync, ${manyCount} files`,
      { label: 'file-sync', argv: fileSync(many, join(work, 'many-fs')) },
      { label: 'rsync -a', argv: rsync(many, join(work, 'many-rs')) },
      { runs, warmup: 1, maxRatio: 1 },
    ),
  );
  // peak memory of that no-op above a bare Node process: at most 1 KB per file
  const memory = runPair(
    'file-sync',
    `peak memory of the no-op re-sync of ${manyCount} files, above node -e 0`,
    { label: 'file-sync', argv: fileSync(many, join(work, 'many-fs')) },
    { label: 'node -e 0', argv: [process.execPath, '-e', '0'] },
    { runs: 2, warmup: 0 },
  );
  const { maxRssKiB: subjectKiB } = memory.subject;
  const { maxRssKiB: bareKiB } = memory.reference;
  if (subjectKiB !== undefined && bareKiB !== undefined) {
    const perFile = ((subjectKiB - bareKiB) * 1024) / manyCount;
    memory.target = `<= 1024 B/file above bare node: ${Math.round(perFile)} B/file`;
    memory.met = perFile <= 1024;
  }
  results.push(memory);

  const big = join(work, 'big');
  const bigBytes = options.quick ? 16 * 2 ** 20 : 2 ** 30;
  bigFile(big, bigBytes);
  results.push(
    runPair(
      'file-sync',
      `one ${bigBytes >= 2 ** 30 ? '1 GiB' : `${bigBytes / 2 ** 20} MiB`} file`,
      { label: 'file-sync', argv: fileSync(big, join(work, 'big-fs')), before: fresh(join(work, 'big-fs')) },
      { label: 'rsync -a', argv: rsync(big, join(work, 'big-rs')), before: fresh(join(work, 'big-rs')) },
      // at least 0.9x rsync's throughput = at most 1/0.9 of its time
      { runs: options.quick ? 2 : 3, warmup: 1, maxRatio: Math.round((1 / 0.9) * 100) / 100 },
    ),
  );
  rmSync(work, { recursive: true, force: true });
  return results;
}
