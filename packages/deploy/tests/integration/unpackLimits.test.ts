/**
 * Issue 14, item 4: a 5 MB .tar.gz of 3 GiB of zeros, deployed onto a 200 MB filesystem, ran
 * 64 s at 3.3 GB RSS and left the filesystem full with a kept `.partial`. Now: unpacking is a
 * stream in bounded memory; an artifact is capped (unpacked bytes, members, compression ratio:
 * exit 2 before anything is written); free space is checked before and during unpacking; on any
 * failure the partial release is removed and `current` is unchanged.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readlink, rm, statfs, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listTree, type Workspace } from '@tempered/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { gzipFirstByteAlone, makeTarGz, writeBigTarGz } from '../fixtures/tarball.js';
import {
  currentOf,
  errorLine,
  makeApp,
  releaseOk,
  targetOf,
  workspace,
  writeDeployConfig,
} from './helpers.js';

const MiB = 1024 ** 2;
const GiB = 1024 ** 3;

async function expectRefused(ws: Workspace, args: string[], message: RegExp): Promise<number> {
  const before = await listTree(targetOf(ws));
  const started = performance.now();
  const result = await ws.run(args);
  expect(result.code, result.stderr).toBe(2);
  expect(errorLine(result)?.msg).toMatch(message);
  expect(await listTree(targetOf(ws))).toEqual(before);
  expect(await currentOf(ws)).toBe('releases/v1');
  return performance.now() - started;
}

describe('limits on what an artifact unpacks to: exit 2, nothing written', () => {
  it("a gzip bomb (256 MiB in 0.5 MB: 500:1, like the issue's) is refused by its compression ratio, within seconds", async () => {
    const ws = await workspace();
    const config = await writeDeployConfig(ws);
    await releaseOk(ws, 'v1', config);
    const bomb = ws.path('bomb.tar.gz');
    // under node-tar's own guard (1000:1), which let the bomb through
    await writeBigTarGz(bomb, { bytes: 256 * MiB, noise: 64 });

    const ms = await expectRefused(
      ws,
      ['release', bomb, '--version', 'v2', '--config', config],
      /bomb\.tar\.gz refused: it unpacks to over 100 times its compressed size .*deploy\.artifactLimits\.maxRatio/,
    );
    expect(ms).toBeLessThan(15_000);
  });

  it('a gzip inside the gzip is refused even when the first inflated chunk is a single byte', async () => {
    const ws = await workspace();
    const config = await writeDeployConfig(ws);
    await releaseOk(ws, 'v1', config);
    // node-tar, seeing 1f 8b, would inflate the inner gzip itself: outside maxRatio and the memory bound
    const inner = makeTarGz([{ name: 'version', content: 'nested\n' }]);
    const nested = ws.path('nested.tar.gz');
    await writeFile(nested, gzipFirstByteAlone(inner));

    await expectRefused(
      ws,
      ['release', nested, '--version', 'v2', '--config', config],
      /nested\.tar\.gz refused: it holds a second compressed stream inside the gzip one/,
    );
  });

  it('a member declaring more than the 4 GiB default is refused from its header, before it is inflated', async () => {
    const ws = await workspace();
    const config = await writeDeployConfig(ws);
    await releaseOk(ws, 'v1', config);
    const tarball = ws.path('huge.tar.gz');
    // the header alone: 5 GiB declared, no data (what follows would be inflated otherwise)
    await writeFile(
      tarball,
      makeTarGz([
        { name: 'index.js', content: 'ok' },
        { name: 'disk.img', size: 5 * GiB },
      ]),
    );

    await expectRefused(
      ws,
      ['release', tarball, '--version', 'v2', '--config', config],
      /member "disk\.img" takes the unpacked size past 4 GiB \(deploy\.artifactLimits\.maxBytes\)/,
    );
  });

  it('maxBytes and maxEntries from the config, for tarballs and directories', async () => {
    const ws = await workspace();
    await releaseOk(ws, 'v1', await writeDeployConfig(ws));
    const config = await writeDeployConfig(ws, { artifactLimits: { maxBytes: '1MiB', maxEntries: 20 } });
    const big = ws.path('big.tar.gz');
    await writeFile(big, makeTarGz([{ name: 'data.bin', content: 'x'.repeat(2 * MiB) }]));
    const many = ws.path('many.tar.gz');
    await writeFile(many, makeTarGz(Array.from({ length: 21 }, (_, i) => ({ name: `f${i}`, content: 'x' }))));
    const dir = await makeApp(ws, 'v2');
    await writeFile(join(dir, 'data.bin'), 'x'.repeat(2 * MiB));

    await expectRefused(
      ws,
      ['release', big, '--version', 'v2', '--config', config],
      /member "data\.bin" takes the unpacked size past 1 MiB/,
    );
    await expectRefused(
      ws,
      ['release', many, '--version', 'v2', '--config', config],
      /it has more than 20 members \(deploy\.artifactLimits\.maxEntries\)/,
    );
    await expectRefused(
      ws,
      ['release', dir, '--version', 'v2', '--config', config],
      /"data\.bin" takes its size past 1 MiB/,
    );
  });
});

/** The peak resident memory (VmHWM) of a running process, polled until it exits. */
function watchPeakRss(pid: number): () => number {
  let peak = 0;
  const read = () => {
    try {
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      const kb = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0);
      peak = Math.max(peak, kb * 1024);
    } catch {
      // exited
    }
  };
  const timer = setInterval(read, 20);
  return () => {
    clearInterval(timer);
    return peak;
  };
}

describe('unpacking is streamed', () => {
  it.skipIf(process.platform !== 'linux')(
    'a 640 MiB release unpacks in bounded memory (peak RSS under 320 MiB)',
    async () => {
      const ws = await workspace();
      const config = await writeDeployConfig(ws);
      const tarball = ws.path('big.tar.gz');
      await writeBigTarGz(tarball, { bytes: 640 * MiB, noise: 1024 });

      const child = ws.start(['release', tarball, '--version', 'v1', '--config', config]);
      const peak = watchPeakRss(child.pid);
      const result = await child.exit;
      const peakBytes = peak();

      expect(result.code, result.stderr).toBe(0);
      expect(peakBytes).toBeGreaterThan(0);
      expect(peakBytes, `peak RSS ${Math.round(peakBytes / MiB)} MiB`).toBeLessThan(320 * MiB);
      await rm(join(targetOf(ws), 'releases', 'v1', 'big.bin'));
    },
    // writing and unpacking 640 MiB is real disk work: minutes on a busy machine's virtual disk
    240_000,
  );
});

const isRoot = process.getuid?.() === 0;

describe.skipIf(!isRoot)('a full disk (a 200 MiB tmpfs per test; root only, to mount it)', () => {
  let mount: string | undefined;
  beforeEach(async () => {
    mount = await mkdtemp(join(tmpdir(), 'deploy-tmpfs-'));
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=200m', 'tmpfs', mount]);
  });
  afterEach(async () => {
    if (mount === undefined) return;
    execFileSync('umount', [mount]);
    await rm(mount, { recursive: true, force: true });
    mount = undefined;
  });
  const mounted = (): string => {
    if (mount === undefined) throw new Error('the tmpfs is not mounted');
    return mount;
  };

  /** A workspace whose target is on the tmpfs, with v1 released there. */
  async function onTmpfs(name: string): Promise<{ ws: Workspace; config: string; target: string }> {
    const ws = await workspace();
    const target = join(mounted(), name);
    await mkdir(target);
    const config = await ws.writeConfig('tmpfs.json', { deploy: { target: { path: target } } });
    const result = await ws.run(['release', await makeApp(ws, 'v1'), '--version', 'v1', '--config', config]);
    expect(result.code, result.stderr).toBe(0);
    return { ws, config, target };
  }

  const free = async () => {
    const fs = await statfs(mounted());
    return fs.bavail * fs.bsize;
  };

  const fullDisk = /not enough free space in|free space in .* fell to|no space left in/;

  it('an artifact larger than the free space is refused before extraction: exit 3, no .partial, current unchanged', async () => {
    const { ws, config, target } = await onTmpfs('one');
    const before = await free();
    const tarball = ws.path('large.tar.gz');
    await writeBigTarGz(tarball, { bytes: 240 * MiB, noise: 1024 });

    const result = await ws.run(['release', tarball, '--version', 'v2', '--config', config]);

    expect(result.code, result.stderr).toBe(3);
    // one line: the run's error, naming the filesystem and what it lacks
    expect(errorLine(result)?.msg).toMatch(/not enough free space in .*: it needs about 240 MiB/);
    // the failed release is gone, not kept as a .partial that holds the space
    expect(await readdir(join(target, 'releases'))).toEqual(['v1']);
    expect(await currentLink(target)).toBe('releases/v1');
    expect(await free()).toBe(before);
  });

  it('two releases filling the disk together: each failure is clean, and the disk keeps its reserve', async () => {
    const a = await onTmpfs('a');
    const b = await onTmpfs('b');
    const tarA = a.ws.path('a.tar.gz');
    const tarB = b.ws.path('b.tar.gz');
    await writeBigTarGz(tarA, { bytes: 100 * MiB, noise: 1024 });
    await writeBigTarGz(tarB, { bytes: 100 * MiB, noise: 1024 });

    const [resultA, resultB] = await Promise.all([
      a.ws.run(['release', tarA, '--version', 'v2', '--config', a.config]),
      b.ws.run(['release', tarB, '--version', 'v2', '--config', b.config]),
    ]);

    const runs = [
      { ...a, result: resultA },
      { ...b, result: resultB },
    ];
    const failed = runs.filter((run) => run.result.code !== 0);
    expect(failed.length, `${resultA.stderr}\n${resultB.stderr}`).toBeGreaterThan(0);
    for (const run of failed) {
      expect(run.result.code, run.result.stderr).toBe(3);
      expect(errorLine(run.result)?.msg).toMatch(fullDisk);
      expect(await readdir(join(run.target, 'releases'))).toEqual(['v1']);
      expect(await currentLink(run.target)).toBe('releases/v1');
    }
    for (const run of runs.filter((r) => r.result.code === 0)) {
      expect(await currentLink(run.target)).toBe('releases/v2');
    }
    // the 64 MiB that minFreeSpace keeps, less what one check interval (8 MiB) can overshoot
    expect(await free()).toBeGreaterThan(56 * MiB);
  });
});

function currentLink(target: string): Promise<string | undefined> {
  return readlink(join(target, 'current')).catch(() => undefined);
}
