/**
 * Differential parity: every case builds a source and the same pre-populated destination twice,
 * then round after round (mutating the source between rounds) syncs one with `rsync -a --delete`
 * and the other with file-sync, and requires byte-exact equal trees, matching exit statuses, a
 * no-op second run, and a dry-run that predicted exactly what the real run changed.
 *
 * Deliberate differences, kept out of the comparison on purpose:
 * - fifos, sockets and devices: file-sync skips them with a warning, rsync -a copies them; the
 *   generated trees hold none, and one test below encodes the difference.
 * - sub-microsecond mtimes: Node sets times from a double of seconds; see MTIME_TOLERANCE_NS.
 * - owner and group: rsync -a as root preserves them, file-sync does not; every generated entry
 *   is owned by the user who runs both tools, so the owner is compared and must match.
 * - hard links: neither rsync -a (no -H) nor file-sync keeps them; compared (nlink 1 on both).
 * - a run where a source file cannot be read: rsync still deletes extras, file-sync deletes
 *   nothing that run (README: "If any entry could not be read, nothing is deleted"); such rounds
 *   get a destination that needs no deletion, and the unreadable file itself is left out.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, chown, lstat, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cleanEnv } from '@tempered/testkit';
import { describe, expect, it } from 'vitest';
import { CLI } from './helpers.js';
import { applySteps, finish, type Owner } from './parity/build.js';
import { type Case, generatedCase, HAND_WRITTEN } from './parity/cases.js';
import { applyToModel, type Key, type Tree } from './parity/generate.js';
import { changedPaths, diffSnapshots, type Snapshot, showPath, snapshot } from './parity/snapshot.js';

const RSYNC = ['/usr/bin/rsync', '/usr/local/bin/rsync', '/bin/rsync'].find((path) => existsSync(path));
const SETPRIV = ['/usr/bin/setpriv', '/bin/setpriv'].find((path) => existsSync(path));
/** `nobody`: any unprivileged id works; numeric, so nothing needs creating. */
const UNPRIVILEGED: Owner = { uid: 65534, gid: 65534 };
const IS_ROOT = process.getuid?.() === 0;
/** Generated seeds; with the hand-written cases, over 80 in all. */
const SEEDS = Array.from({ length: 72 }, (_, i) => i + 1);
/** Cases at once: each is a chain of child processes, and this machine has two cores. */
const POOL = 2;
const CASE_TIMEOUT_MS = 120_000;

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

function exec(
  command: string,
  args: string[],
  options: { cwd: string; env: NodeJS.ProcessEnv },
): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

let running = 0;
const waiting: (() => void)[] = [];
async function inPool<T>(work: () => Promise<T>): Promise<T> {
  while (running >= POOL) await new Promise<void>((resolve) => waiting.push(resolve));
  running++;
  try {
    return await work();
  } finally {
    running--;
    waiting.shift()?.();
  }
}

/** file-sync's warning and error log lines, for a failure message. */
function problemLines(stderr: string): string[] {
  const out: string[] = [];
  for (const line of stderr.split('\n')) {
    if (line.trim() === '') continue;
    try {
      const parsed = JSON.parse(line) as {
        level?: number;
        msg?: string;
        path?: string;
        err?: { message?: string };
      };
      if ((parsed.level ?? 0) < 40) continue;
      out.push(
        [parsed.msg, parsed.path === undefined ? '' : JSON.stringify(parsed.path), parsed.err?.message ?? '']
          .filter(Boolean)
          .join(' | '),
      );
    } catch {
      out.push(line);
    }
  }
  return out.slice(0, 8);
}

interface SyncJson {
  status?: string;
  result?: {
    summary?: { changes?: number };
    plan?: { actions?: { kind: string; target: string; details?: { path?: string } }[] };
    applied?: { outcomes?: { kind: string; target: string; status: string }[] };
  };
}

function parseJson(ran: Ran): SyncJson | undefined {
  try {
    return JSON.parse(ran.stdout) as SyncJson;
  } catch {
    return undefined;
  }
}

/**
 * A JSON string cannot carry a name that is not UTF-8: file-sync spells each such byte as a lone
 * surrogate U+DC80..U+DCFF (Python's "surrogateescape"), so a planned path maps back to exact bytes.
 */
function keyOfPlanned(path: string): Key {
  const bytes: Buffer[] = [];
  for (const char of path) {
    const unit = char.codePointAt(0)!;
    bytes.push(unit >= 0xdc80 && unit <= 0xdcff ? Buffer.from([unit - 0xdc00]) : Buffer.from(char));
  }
  return Buffer.concat(bytes).toString('latin1');
}
const plannedKey = (action: { target: string; details?: { path?: string } }) =>
  keyOfPlanned(action.details?.path ?? (action.target === '.' ? '' : action.target));

async function runCase(c: Case): Promise<void> {
  const base = await mkdtemp(join(tmpdir(), 'file-sync-parity-'));
  const owner = c.nonRoot && IS_ROOT ? UNPRIVILEGED : undefined;
  // mode 000 only stops an unprivileged reader: the root cases have none, so this is exact
  const unprivileged = c.nonRoot || !IS_ROOT;
  let failed = true;
  try {
    const dirs = {
      src: join(base, 'src'),
      viaRsync: join(base, 'rsync'),
      viaSync: join(base, 'file-sync'),
      home: join(base, 'home'),
      state: join(base, 'state'),
      config: join(base, 'config'),
      cache: join(base, 'cache'),
    };
    for (const dir of Object.values(dirs)) await mkdir(dir);
    if (owner) {
      // mkdtemp's 0700 would shut the unprivileged user out of its own workspace
      await chmod(base, 0o711);
      for (const dir of Object.values(dirs)) await chown(dir, owner.uid, owner.gid);
    }
    const env = cleanEnv({
      HOME: dirs.home,
      XDG_STATE_HOME: dirs.state,
      XDG_CONFIG_HOME: dirs.config,
      XDG_CACHE_HOME: dirs.cache,
    });
    const as = (command: string, args: string[]): [string, string[]] =>
      owner
        ? [
            SETPRIV as string,
            [`--reuid=${owner.uid}`, `--regid=${owner.gid}`, '--clear-groups', command, ...args],
          ]
        : [command, args];
    const runAs = (command: string, args: string[]) => exec(...as(command, args), { cwd: base, env });
    const fileSync = (...args: string[]) =>
      runAs(process.execPath, [CLI.bin, 'sync', dirs.src, dirs.viaSync, '--delete', '--json', ...args]);
    const script = join(base, 'touch.sh');

    const source: Tree = new Map();
    applyToModel(source, c.source);
    await applySteps(dirs.src, c.source);
    await finish(dirs.src, source, script, owner);
    const dest: Tree = new Map();
    applyToModel(dest, c.destination);
    for (const root of [dirs.viaRsync, dirs.viaSync]) {
      await applySteps(root, c.destination);
      await finish(root, dest, script, owner);
    }

    // every round runs even after one failed: both tools must converge from wherever they are
    const failures: string[] = [];
    for (let round = 1; round <= c.mutations.length + 1; round++) {
      if (round > 1) {
        const steps = c.mutations[round - 2]!;
        applyToModel(source, steps);
        await applySteps(dirs.src, steps);
        await finish(dirs.src, source, script, owner);
      }
      const unreadable = new Set(
        [...source]
          .filter(([, entry]) => unprivileged && entry.type === 'file' && (entry.mode & 0o400) === 0)
          .map(([key]) => key),
      );
      const problems = await checkRound({ runAs, fileSync, dirs, unreadable });
      if (problems.length > 0) {
        const unreadableNote =
          unreadable.size > 0 ? ` (unreadable: ${[...unreadable].map(showPath).join(', ')})` : '';
        failures.push(`round ${round}${unreadableNote}:\n  ${problems.join('\n  ')}`);
      }
    }
    if (failures.length > 0) expect.fail(`${c.title}\n${failures.join('\n')}`);
    failed = false;
  } finally {
    if (!failed || !process.env.PARITY_KEEP) await rm(base, { recursive: true, force: true });
    else console.error(`kept ${base}`);
  }
}

async function checkRound(context: {
  runAs: (command: string, args: string[]) => Promise<Ran>;
  fileSync: (...args: string[]) => Promise<Ran>;
  dirs: { src: string; viaRsync: string; viaSync: string };
  unreadable: ReadonlySet<Key>;
}): Promise<string[]> {
  const { runAs, fileSync, dirs, unreadable } = context;
  const problems: string[] = [];
  const rsync = await runAs(RSYNC as string, ['-a', '--delete', `${dirs.src}/`, `${dirs.viaRsync}/`]);

  const dry = await fileSync('--dry-run');
  const dryJson = parseJson(dry);
  if (dry.code !== 0 || !dryJson?.result?.plan?.actions)
    problems.push(`dry-run: exit ${dry.code}, no plan; ${problemLines(dry.stderr).join('; ')}`);
  const planned = new Set(
    (dryJson?.result?.plan?.actions ?? []).filter((a) => a.kind !== 'skip').map(plannedKey),
  );

  const before = await snapshot(dirs.viaSync);
  const real = await fileSync();
  const after = await snapshot(dirs.viaSync);
  const expected = await snapshot(dirs.viaRsync);

  // rsync's 23 (some files not transferred) and 24 (vanished) are file-sync's 3 (partial)
  const wantCode = rsync.code === 0 ? 0 : rsync.code === 23 || rsync.code === 24 ? 3 : undefined;
  if (wantCode === undefined)
    problems.push(`rsync itself failed (exit ${rsync.code}): ${rsync.stderr.trim().split('\n')[0]}`);
  else if (real.code !== wantCode)
    problems.push(
      `exit status: rsync ${rsync.code} -> file-sync should exit ${wantCode}, got ${real.code}; ${problemLines(real.stderr).join('; ')}`,
    );
  if (rsync.code !== 0 && unreadable.size === 0)
    problems.push(
      `rsync exited ${rsync.code} with no unreadable file: ${rsync.stderr.trim().split('\n').join('; ')}`,
    );
  const diffs = diffSnapshots(expected, after, {
    ignore: unreadable,
    names: { expected: 'rsync', actual: 'file-sync' },
  });
  if (diffs.length > 0) {
    problems.push(...diffs);
    const lines = problemLines(real.stderr);
    if (lines.length > 0) problems.push(`file-sync logged: ${lines.join('; ')}`);
  }

  // a second run changes nothing: only an unreadable file is tried (and fails) again
  const again = await fileSync();
  const againJson = parseJson(again);
  const afterAgain = await snapshot(dirs.viaSync);
  const secondChanges = diffSnapshots(after, afterAgain, {
    identity: true,
    mtimeToleranceNs: 0n,
    names: { expected: 'after the first run', actual: 'after the second' },
  });
  problems.push(...secondChanges.map((line) => `second run changed ${line}`));
  const retried = (againJson?.result?.applied?.outcomes ?? [])
    .map((outcome) => outcome.target)
    .filter((target) => !unreadable.has(keyOfPlanned(target)));
  if (unreadable.size === 0 && againJson?.result?.summary?.changes !== 0)
    problems.push(
      `second run is not a no-op: ${againJson?.result?.summary?.changes} changes (${retried.map((t) => JSON.stringify(t)).join(', ')}); exit ${again.code}`,
    );
  else if (unreadable.size > 0 && retried.length > 0)
    problems.push(
      `second run acted on more than the unreadable file: ${retried.map((t) => JSON.stringify(t)).join(', ')}`,
    );
  // the same status again: an unreadable file that only needed a chmod was never read at all
  if (again.code !== (wantCode ?? 0))
    problems.push(`second run: exit ${again.code}; ${problemLines(again.stderr).join('; ')}`);

  // the dry-run's plan against what the real run visibly did: only final states count, so a
  // directory whose mtime file-sync bumped by writing inside and then restored did not change
  // (and must not be planned), while one whose mode or mtime ends up different did (and must be)
  problems.push(...dryRunMismatches(planned, before, after, unreadable));
  return problems;
}

function dryRunMismatches(
  planned: ReadonlySet<Key>,
  before: Snapshot,
  after: Snapshot,
  unreadable: ReadonlySet<Key>,
): string[] {
  const changed = changedPaths(before, after, unreadable);
  const out: string[] = [];
  for (const [key, how] of changed)
    if (!planned.has(key)) out.push(`dry-run did not plan ${showPath(key)}, which the run changed (${how})`);
  for (const key of planned) {
    if (changed.has(key) || unreadable.has(key)) continue;
    out.push(`dry-run planned ${showPath(key)}, which the run left as it was`);
  }
  return out;
}

const CASES: Case[] = [...HAND_WRITTEN, ...SEEDS.map(generatedCase)];

// skipped on a machine without rsync, never under CI (.ci/run installs it): there it fails
describe.skipIf(RSYNC === undefined && !process.env.CI)('parity with rsync -a --delete', () => {
  it('has rsync, and setpriv for the unprivileged cases', () => {
    expect(RSYNC, 'rsync is needed').toBeDefined();
    if (IS_ROOT) expect(SETPRIV, 'setpriv (util-linux) runs the non-root cases').toBeDefined();
  });

  it('differs on purpose for special files: rsync -a copies a fifo, file-sync skips it with a warning', async () => {
    const base = await mkdtemp(join(tmpdir(), 'file-sync-parity-'));
    try {
      const src = join(base, 'src');
      await mkdir(src);
      await writeFile(join(src, 'plain'), 'plain\n');
      const env = cleanEnv({ HOME: base, XDG_STATE_HOME: join(base, 'state') });
      expect((await exec('mkfifo', [join(src, 'pipe')], { cwd: base, env })).code).toBe(0);
      const rsync = await exec(RSYNC as string, ['-a', `${src}/`, `${join(base, 'rsync')}/`], {
        cwd: base,
        env,
      });
      const sync = await exec(process.execPath, [CLI.bin, 'sync', src, join(base, 'fs')], { cwd: base, env });

      expect(rsync.code).toBe(0);
      expect((await lstat(join(base, 'rsync', 'pipe'))).isFIFO()).toBe(true);
      expect(sync.code, sync.stderr).toBe(0);
      expect(await readdir(join(base, 'fs'))).toEqual(['plain']);
      expect(problemLines(sync.stderr)).toEqual([
        'not a regular file, directory or symlink; skipped | "pipe"',
      ]);
    } finally {
      await rm(base, { recursive: true, force: true });
    }
  });

  describe.concurrent('cases', () => {
    for (const c of CASES) it(c.title, { timeout: CASE_TIMEOUT_MS }, () => inPool(() => runCase(c)));
  });
});
