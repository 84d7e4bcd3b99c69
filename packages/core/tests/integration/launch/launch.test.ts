/**
 * The bundle launcher in real child processes: a CommonJS bundle loaded once (oclif's later
 * `require` of it gets the same instance), V8's code cache kept privately per command and
 * replaced when stale or damaged, and a broken install reported in one line.
 */
import { execFile } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { commandVariant } from '../../../src/launch/launch.js';

const run = promisify(execFile);
const LAUNCH = fileURLToPath(new URL('../../../dist/launch/index.js', import.meta.url));

let dir: string;
let home: string;
let bundle: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tempered-launch-'));
  home = join(dir, 'home');
  bundle = join(dir, 'pkg', 'dist', 'cli.cjs');
  await mkdir(join(dir, 'pkg', 'dist'), { recursive: true });
  await mkdir(home);
  await writeBundle('a1b2c3d4e5f60718', 'first');
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function writeBundle(id: string, label: string): Promise<void> {
  await writeFile(
    bundle,
    [
      `// tempered-bundle ${id}`,
      'const work = () => Array.from({ length: 50 }, (_, i) => i * 2).reduce((a, b) => a + b, 0);',
      'exports.main = async (dir) => {',
      `  process.stdout.write(JSON.stringify({ label: ${JSON.stringify(label)}, dir, same: require(__filename) === module.exports, work: work() }));`,
      '};',
      '',
    ].join('\n'),
  );
}

async function launch(argv: string[] = ['sync'], env: Record<string, string> = {}) {
  const script = `import { launch } from ${JSON.stringify(LAUNCH)}; await launch(process.argv[1], process.argv.slice(2));`;
  try {
    const { stdout, stderr } = await run(
      process.execPath,
      ['--input-type=module', '-e', script, bundle, ...argv],
      {
        cwd: dir,
        env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, ...env },
      },
    );
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

const cacheDir = () => join(home, '.cache', 'tempered', 'v8');
const cacheEntries = async () => (await readdir(cacheDir()).catch(() => [] as string[])).sort();
// Node's module compile cache shares the directory, in `modules/`
const cacheFiles = async () => (await cacheEntries()).filter((name) => name !== 'modules');

describe('launch', () => {
  it('runs the bundle once, as the module a later require() of its path returns', async () => {
    const result = await launch();
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({
      label: 'first',
      dir: `file://${bundle}`,
      same: true,
      work: 2450,
    });
  });

  it('keeps one private code cache per command, and reuses it untouched', async () => {
    expect((await launch(['sync'])).code).toBe(0);
    expect((await launch(['--help'])).code).toBe(0);
    const files = await cacheFiles();
    expect(files).toHaveLength(2);
    expect(files.map((f) => f.replace(/-[0-9a-f]{32}\.v8$/, ''))).toEqual(['pkg-cli-main', 'pkg-cli-sync']);
    expect((await stat(cacheDir())).mode & 0o777).toBe(0o700);
    const syncCache = join(cacheDir(), files[1]!);
    const before = await stat(syncCache);
    expect(before.mode & 0o777).toBe(0o600);

    const again = await launch(['sync']);
    expect(JSON.parse(again.stdout).label).toBe('first');
    const after = await stat(syncCache);
    expect([after.ino, after.mtimeMs]).toEqual([before.ino, before.mtimeMs]);
  });

  it('replaces a damaged cache (V8 rejects it) and still runs', async () => {
    await launch(['sync']);
    const [file] = await cacheFiles();
    await writeFile(join(cacheDir(), file!), Buffer.alloc(4096, 7), { mode: 0o600 });
    const result = await launch(['sync']);
    expect(JSON.parse(result.stdout).work).toBe(2450);
    const rewritten = await readFile(join(cacheDir(), file!));
    expect(rewritten.equals(Buffer.alloc(4096, 7))).toBe(false);
  });

  it("a new build of the bundle gets its own cache; another build's is removed once a week old", async () => {
    await launch(['sync']);
    const [old] = await cacheFiles();
    await writeBundle('ffeeddccbbaa9988', 'second');
    const result = await launch(['sync']);
    expect(JSON.parse(result.stdout).label).toBe('second');
    // a second install of another version may still use it: kept while recent
    const both = await cacheFiles();
    expect(both).toHaveLength(2);
    expect(both).toContain(old);

    const eightDaysAgo = new Date(Date.now() - 8 * 24 * 60 * 60 * 1000);
    await utimes(join(cacheDir(), old!), eightDaysAgo, eightDaysAgo);
    const newest = both.find((file) => file !== old)!;
    await rm(join(cacheDir(), newest));
    await launch(['sync']);
    expect(await cacheFiles()).toEqual([newest]);
  });

  it('never reads or writes a cache in a directory others can write to', async () => {
    await mkdir(cacheDir(), { recursive: true });
    await chmod(cacheDir(), 0o777);
    const result = await launch(['sync']);
    expect(JSON.parse(result.stdout).work).toBe(2450);
    expect(await cacheEntries()).toEqual([]);
  });

  it("turns on Node's module compile cache in a private modules/ directory beside the bundle caches", async () => {
    const result = await launch(['sync']);
    expect(result.code, result.stderr).toBe(0);
    const modules = await stat(join(cacheDir(), 'modules'));
    expect(modules.isDirectory()).toBe(true);
    expect(modules.mode & 0o777).toBe(0o700);
  });

  it('TEMPERED_COMPILE_CACHE=off keeps no cache; a path puts it there', async () => {
    await launch(['sync'], { TEMPERED_COMPILE_CACHE: 'off' });
    expect(await cacheFiles()).toEqual([]);
    const elsewhere = join(dir, 'cache-here');
    await launch(['sync'], { TEMPERED_COMPILE_CACHE: elsewhere });
    expect((await readdir(elsewhere)).filter((name) => name !== 'modules')).toHaveLength(1);
    // a relative directory is not one: no cache rather than one wherever the run happens to start
    await launch(['sync'], { TEMPERED_COMPILE_CACHE: 'relative-cache' });
    expect(await readdir(dir)).not.toContain('relative-cache');
    expect(await cacheFiles()).toEqual([]);
  });

  it('a missing bundle is one line naming the file and the fix, exit 1', async () => {
    await rm(bundle);
    const result = await launch(['sync']);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(/^pkg: cannot load .*cli\.cjs: ENOENT.*; reinstall pkg$/),
    ]);
  });
});

describe('commandVariant', () => {
  it.each([
    [['sync', 'a', 'b'], 'sync'],
    [['--help'], 'main'],
    [[], 'main'],
    [['../../etc'], 'main'],
    [['Sync'], 'main'],
    [['x'.repeat(40)], 'main'],
  ])('%j -> %s', (argv, expected) => {
    expect(commandVariant(argv)).toBe(expected);
  });
});
