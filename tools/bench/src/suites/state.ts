import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { findPostgresBin, type PostgresCluster, startPostgres } from '@tempered/testkit';
import type { Sample } from '../measure.js';
import { benchDir, builtClis } from '../paths.js';
import { type PairResult, pairResult, runPair } from '../runPair.js';
import { median } from '../statistics.js';
import { type Pinning, pinServerAndClients } from './pinning.js';

/** Issue 17: a no-op run on PostgreSQL (loopback) at most this much slower than on the file backend. */
const MAX_OVERHEAD_MS = 30;
/** Issue 17: idempotency records (begin + complete) per second by 8 concurrent processes. */
const MIN_RECORDS_PER_SECOND = 2000;
const WRITERS = 8;

/**
 * The PostgreSQL state backend against the file backend, on a throwaway cluster of its own
 * (tools/testkit's startPostgres): the overhead of a no-op CLI run, and the idempotency records
 * 8 processes write per second. Skips, saying why, when PostgreSQL is not installed.
 */
export async function stateSuite(options: { quick: boolean }): Promise<PairResult[]> {
  const bin = await findPostgresBin();
  if (!bin) {
    process.stderr.write(
      'state suite skipped: needs PostgreSQL (/usr/lib/postgresql/<version>/bin; apt-get install postgresql)\n',
    );
    return [];
  }
  const load = () =>
    loadavg()
      .map((l) => l.toFixed(2))
      .join(', ');
  process.stderr.write(`  load average before: ${load()}\n`);
  const cluster = await startPostgres();
  const work = mkdtempSync(join(tmpdir(), 'tempered-bench-state-'));
  try {
    const url = await cluster.createDatabase('tempered_bench');
    const psql = (sql: string) => psqlSync(bin, url, sql);
    const pinning = pinServerAndClients(psql('show data_directory'));
    process.stderr.write(`  ${pinning.description}\n`);
    const results: PairResult[] = [];
    const noOp = noOpRun(options, work, url, psql, pinning);
    if (noOp) results.push(noOp);
    results.push(await idempotencyThroughput(options, work, url, psql, pinning));
    for (const result of results) result.name += `; ${pinning.description}`;
    process.stderr.write(`  load average after: ${load()}\n`);
    return results;
  } finally {
    await stopQuietly(cluster);
    rmSync(work, { recursive: true, force: true });
  }
}

/**
 * `file-sync sync --yes` of an unchanged tree, as cron runs it most days: lock, journal, run
 * record, nothing copied. Same bundle, same tree; only TEMPERED_STATE_BACKEND/URL differ.
 */
function noOpRun(
  options: { quick: boolean },
  work: string,
  url: string,
  psql: (sql: string) => string,
  pinning: Pinning,
): PairResult | undefined {
  const cli = builtClis().find((c) => c.name === 'file-sync');
  if (!cli) {
    process.stderr.write('  no-op run skipped: needs packages/file-sync built\n');
    return undefined;
  }
  const home = join(work, 'home');
  const src = join(work, 'src');
  const dst = join(work, 'dst');
  mkdirSync(home, { recursive: true });
  mkdirSync(src, { recursive: true });
  for (let i = 0; i < 100; i++) writeFileSync(join(src, `file-${i}.txt`), `content ${i}\n`);
  const fileEnv = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: home,
    XDG_STATE_HOME: join(work, 'file-state-home'),
    LANG: 'C.UTF-8',
    TZ: 'UTC',
  };
  const pgEnv = { ...fileEnv, TEMPERED_STATE_BACKEND: 'postgres', TEMPERED_STATE_URL: url };
  const argv = [
    ...pinning.clientPrefix,
    process.execPath,
    cli.bin,
    'sync',
    src,
    dst,
    '--yes',
    '--log-level',
    'error',
  ];
  // untimed: converge the destination, and let the first PostgreSQL run create the schema
  for (const env of [fileEnv, pgEnv]) {
    const result = spawnSync(argv[0]!, argv.slice(1), { env, cwd: home, encoding: 'utf8' });
    if (result.status !== 0)
      throw new Error(`set-up file-sync sync failed (exit ${result.status}): ${result.stderr.slice(-500)}`);
  }
  // each side must record its run where it should: one more row on PostgreSQL, none from the file side
  let runs = Number(psql("select count(*) from tempered.runs where cli = 'file-sync'"));
  const checkRuns = (label: string, delta: number) => () => {
    runs += delta;
    const got = Number(psql("select count(*) from tempered.runs where cli = 'file-sync'"));
    if (got !== runs) throw new Error(`${label}: ${got} run records on PostgreSQL, expected ${runs}`);
  };
  const pgLabel = 'file-sync sync, PostgreSQL state';
  const fileLabel = 'file-sync sync, file state';
  return runPair(
    'state',
    'no-op run (unchanged tree of 100 files), PostgreSQL vs file backend',
    { label: pgLabel, argv, env: pgEnv, cwd: home, after: checkRuns(pgLabel, 1) },
    { label: fileLabel, argv, env: fileEnv, cwd: home, after: checkRuns(fileLabel, 0) },
    {
      runs: options.quick ? 3 : 21,
      warmup: options.quick ? 1 : 3,
      maxDifferenceMs: MAX_OVERHEAD_MS,
    },
  );
}

/**
 * 8 writer processes at once, each holding its own lock and beginning + completing distinct
 * keys; timed from the first writer's first write to the last writer's last (process start and
 * connecting excluded). Rounds interleave PostgreSQL and the file backend.
 */
async function idempotencyThroughput(
  options: { quick: boolean },
  work: string,
  url: string,
  psql: (sql: string) => string,
  pinning: Pinning,
): Promise<PairResult> {
  const perWriter = options.quick ? 25 : 500;
  const rounds = options.quick ? 1 : 5;
  const warmup = options.quick ? 0 : 1;
  const total = WRITERS * perWriter;
  const fileRoot = join(work, 'writers-file-state');
  const pg: Sample[] = [];
  const file: Sample[] = [];
  for (let round = 0; round < warmup + rounds; round++) {
    const pgPrefix = `r${round}`;
    const pgMs = await writersRound('postgres', url, perWriter, pgPrefix, pinning);
    const completed = Number(
      psql(
        `select count(*) from tempered.idempotency where cli = 'bench' and status = 'completed' and key like '${pgPrefix}-%'`,
      ),
    );
    if (completed !== total)
      throw new Error(`PostgreSQL writers: ${completed} completed records, expected ${total}`);
    const fileMs = await writersRound('file', fileRoot, perWriter, `r${round}`, pinning);
    if (round >= warmup) {
      pg.push({ ms: pgMs });
      file.push({ ms: fileMs });
    }
  }
  const perSecond = (samples: Sample[]) => Math.round(total / (median(samples.map((s) => s.ms)) / 1000));
  const result = pairResult(
    'state',
    `idempotency records (begin + complete), ${WRITERS} processes x ${perWriter} keys`,
    { label: `${WRITERS} writers, PostgreSQL state`, samples: pg },
    { label: `${WRITERS} writers, file state`, samples: file },
  );
  result.rate = { unit: 'records', subject: perSecond(pg), reference: perSecond(file) };
  result.target = `>= ${MIN_RECORDS_PER_SECOND} records/s`;
  result.met = result.rate.subject >= MIN_RECORDS_PER_SECOND;
  return result;
}

/** One round: all writers connected and holding their locks, then "go" to all at once. */
async function writersRound(
  backend: 'file' | 'postgres',
  where: string,
  perWriter: number,
  prefix: string,
  pinning: Pinning,
): Promise<number> {
  const script = join(benchDir, 'scripts', 'state-writer.mjs');
  const writers = Array.from({ length: WRITERS }, (_, index) => {
    const [command, ...prefixArgs] = [...pinning.clientPrefix, process.execPath];
    const child = spawn(
      command!,
      [...prefixArgs, script, backend, where, String(index), String(perWriter), prefix],
      {
        stdio: ['pipe', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    const ready = new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (chunk: string) => {
        stdout += chunk;
        if (stdout.startsWith('ready\n')) resolve();
      });
      child.once('close', (code, signal) =>
        reject(
          new Error(
            `${backend} writer ${index} exited ${code ?? signal} before it was ready: ${stderr.trim().slice(-500)}`,
          ),
        ),
      );
    });
    child.stderr.on('data', (chunk: string) => {
      stderr += chunk;
    });
    const done = new Promise<{ start: bigint; end: bigint }>((resolve, reject) => {
      child.once('close', (code, signal) => {
        if (code !== 0) {
          reject(
            new Error(`${backend} writer ${index} exited ${code ?? signal}: ${stderr.trim().slice(-500)}`),
          );
          return;
        }
        const last = JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as { start: string; end: string };
        resolve({ start: BigInt(last.start), end: BigInt(last.end) });
      });
    });
    // a writer that fails before "go" must not leave the others waiting on stdin forever
    done.catch(() => undefined);
    return { child, ready, done };
  });
  try {
    await Promise.all(writers.map((w) => w.ready));
  } catch (error) {
    for (const w of writers) w.child.kill();
    const failed = (await Promise.allSettled(writers.map((w) => w.done))).find(
      (r) => r.status === 'rejected',
    );
    throw failed?.status === 'rejected' ? failed.reason : error;
  }
  for (const w of writers) w.child.stdin.end('go\n');
  const spans = await Promise.all(writers.map((w) => w.done));
  // microseconds fit a double exactly for centuries of uptime
  const start = Math.min(...spans.map((s) => Number(s.start / 1000n)));
  const end = Math.max(...spans.map((s) => Number(s.end / 1000n)));
  return (end - start) / 1000;
}

/** psql as a client (root may connect; only the server refuses to run as root). */
function psqlSync(bin: string, url: string, sql: string): string {
  const result = spawnSync(
    join(bin, 'psql'),
    ['-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-d', url, '-c', sql],
    {
      encoding: 'utf8',
    },
  );
  if (result.status !== 0) throw new Error(`psql failed: ${result.stderr.trim()}`);
  return result.stdout.trim();
}

async function stopQuietly(cluster: PostgresCluster): Promise<void> {
  await cluster.stop().catch((error: Error) => {
    process.stderr.write(`  stopping the PostgreSQL cluster failed: ${error.message}\n`);
  });
}
