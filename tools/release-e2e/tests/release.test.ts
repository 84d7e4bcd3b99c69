/**
 * The release path end to end, as an operator meets it: a temp copy of the workspace is
 * versioned with changesets and published to a private registry (verdaccio on 127.0.0.1); every
 * CLI is installed globally from it with `npm i -g --prefix` and run the way cron runs it. Then a
 * patch of core is published and a reinstall must pick it up. Generic over the CLIs: every public
 * package with an `oclif` section.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  cleanEnv,
  cliPackages,
  exec,
  execOk,
  findWorkspaceRoot,
  publicPackages,
  type Registry,
  startRegistry,
  sweepStaleTempDirs,
} from '@tempered/registry';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ANSI, CronProcess, type CronResult, cron, PROMPT } from './helpers/cron.js';
import { ReleaseWorkspace } from './helpers/release.js';
import { SCENARIOS } from './helpers/scenarios.js';

const ROOT = findWorkspaceRoot(fileURLToPath(import.meta.url));
const CLIS = await cliPackages(ROOT);
const PACKAGES = await publicPackages(ROOT);

/** What a tarball may hold: what runs, its types, and its docs. */
const SHIPPABLE =
  /^(package\.json|README\.md|CHANGELOG\.md|COMMANDS\.md|oclif\.manifest\.json|LICENSE(\.md)?|bin\/[^/]+\.c?js|dist\/.+\.(c?js|d\.ts))$/;

let tmp: string;
let registry: Registry;
let ws: ReleaseWorkspace;
let prefix: string;
/** Version of each public package after the first `changeset version`. */
const released = new Map<string, string>();
const started: CronProcess[] = [];

function compareVersions(a: string, b: string): number {
  const pa = a.split(/[.-]/).map(Number);
  const pb = b.split(/[.-]/).map(Number);
  for (let i = 0; i < 3; i++) if ((pa[i] ?? 0) !== (pb[i] ?? 0)) return (pa[i] ?? 0) - (pb[i] ?? 0);
  return 0;
}

/** The cron contract: plain text on stdout, JSON lines on stderr, no colour, no question. */
function expectCronClean(bin: string, result: CronResult): void {
  expect(result.stdout).not.toMatch(ANSI);
  expect(result.stderr).not.toMatch(ANSI);
  expect(result.stdout + result.stderr).not.toMatch(PROMPT);
  for (const line of result.logs) {
    expect(typeof line.level).toBe('number');
    expect(typeof line.msg).toBe('string');
    if (line.cli !== undefined) expect(line.cli).toBe(bin);
  }
}

function describeResult(result: CronResult): string {
  return `exit ${result.code ?? result.signal}\n--- stdout\n${result.stdout}\n--- stderr\n${result.stderr}`;
}

/**
 * A file as committed (HEAD), which is what CI checks out: a build rewrites the working copy's
 * generated files, so only git still knows what was committed. Outside a git checkout, the file.
 */
async function committed(path: string): Promise<string> {
  const shown = await exec('git', ['show', `HEAD:${path}`], { cwd: ROOT });
  return shown.code === 0 ? shown.stdout : readFile(join(ROOT, path), 'utf8');
}

async function npmView(spec: string, field: string): Promise<unknown> {
  const result = await execOk('npm', ['view', spec, field, '--json'], { env: ws.env, timeoutMs: 60_000 });
  return JSON.parse(result.stdout);
}

async function installClis(): Promise<void> {
  await execOk('npm', ['i', '-g', '--prefix', prefix, ...CLIS.map((cli) => cli.name)], {
    env: ws.env,
    timeoutMs: 300_000,
  });
}

/** The commands of a CLI of the release workspace, from its built oclif manifest. */
async function commandIds(path: string): Promise<string[]> {
  const manifest = JSON.parse(await readFile(join(ws.root, path, 'oclif.manifest.json'), 'utf8')) as {
    commands: Record<string, unknown>;
  };
  return Object.keys(manifest.commands);
}

async function home(name: string): Promise<string> {
  const dir = join(tmp, 'homes', name);
  await mkdir(dir, { recursive: true });
  return dir;
}

beforeAll(async () => {
  await sweepStaleTempDirs('tempered-release-e2e-');
  tmp = await mkdtemp(join(tmpdir(), 'tempered-release-e2e-'));
  prefix = join(tmp, 'prefix');
  registry = await startRegistry({ dir: join(tmp, 'registry') });
  ws = await ReleaseWorkspace.create(ROOT, tmp, registry);
});

afterAll(async () => {
  for (const child of started) child.kill();
  await registry?.stop();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

describe('the release path, from changeset to a global install run by cron', () => {
  it('finds the published packages and the CLIs among them', () => {
    expect(PACKAGES.map((p) => p.name)).toContain('@tempered/core');
    expect(CLIS.length).toBeGreaterThanOrEqual(2);
    for (const cli of CLIS) expect(cli.dir.startsWith(join(ROOT, 'packages'))).toBe(true);
  });

  it('changeset version bumps every public package, keeps internal workspace ranges, writes changelogs', async () => {
    const before = new Map((await ws.packages()).map((p) => [p.name, p.version]));
    const bumps = Object.fromEntries([...before.keys()].map((name) => [name, 'minor' as const]));
    await ws.version('release-e2e', bumps, 'Release of every package by the end-to-end release test.');

    const after = await ws.packages();
    const core = after.find((p) => p.name === '@tempered/core')!;
    for (const pkg of after) {
      released.set(pkg.name, pkg.version);
      expect(compareVersions(pkg.version, before.get(pkg.name)!), pkg.name).toBeGreaterThan(0);
      const changelog = await readFile(join(pkg.dir, 'CHANGELOG.md'), 'utf8');
      expect(changelog).toContain(`## ${pkg.version}`);
      expect(changelog).toContain('Release of every package by the end-to-end release test.');
      // internal dependencies stay workspace ranges in the repo; pnpm publish pins them
      const dependencies = (pkg.manifest.dependencies ?? {}) as Record<string, string>;
      if (pkg !== core) expect(dependencies['@tempered/core']).toMatch(/^workspace:/);
    }
    expect(existsSync(join(ws.root, '.changeset', 'release-e2e.md'))).toBe(false);
  });

  it('builds every CLI with its oclif manifest and command reference; tarballs hold only what runs', async () => {
    await ws.build();
    for (const pkg of await ws.packages()) {
      const packed = await execOk('npm', ['pack', '--dry-run', '--json'], { cwd: pkg.dir, env: ws.env });
      const files = (JSON.parse(packed.stdout) as { files: { path: string }[] }[])[0]!.files.map(
        (f) => f.path,
      );
      const stray = files.filter((file) => !SHIPPABLE.test(file));
      expect(stray, `${pkg.name} would ship files that do not run`).toEqual([]);
      expect(files, `${pkg.name} ships no README.md`).toContain('README.md');
      expect(files, `${pkg.name} ships no CHANGELOG.md`).toContain('CHANGELOG.md');
      expect(files.some((file) => file.startsWith('dist/') && file.endsWith('.js'))).toBe(true);
      if (pkg.bin === undefined) continue;

      expect(files).toEqual(expect.arrayContaining(['oclif.manifest.json', 'COMMANDS.md', 'bin/run.cjs']));
      const manifest = JSON.parse(await readFile(join(pkg.dir, 'oclif.manifest.json'), 'utf8')) as {
        version: string;
        commands: Record<string, unknown>;
      };
      // built after the bump: a stale manifest would make oclif warn on stderr at every run
      expect(manifest.version).toBe(pkg.version);
      const reference = await readFile(join(pkg.dir, 'COMMANDS.md'), 'utf8');
      for (const id of Object.keys(manifest.commands)) {
        expect(reference, `${pkg.name} COMMANDS.md`).toContain(`## \`${pkg.bin} ${id.replaceAll(':', ' ')}`);
      }
    }
  });

  it("each CLI's committed COMMANDS.md is what `oclif readme` writes for its commands (build, then commit it)", async () => {
    for (const pkg of await ws.packages()) {
      if (pkg.bin === undefined) continue;
      const generated = await readFile(join(pkg.dir, 'COMMANDS.md'), 'utf8');
      const path = `${pkg.path}/COMMANDS.md`;
      expect(
        generated,
        `${path} is stale: run \`pnpm build\` and commit ${path} (it is generated from the commands)`,
      ).toBe(await committed(path));
    }
  });

  it('refuses to publish when @tempered is not mapped to a private registry, before any upload', async () => {
    const bare = join(tmp, 'npmrc-bare');
    await writeFile(bare, '');
    const result = await ws.publish(
      cleanEnv({ npm_config_userconfig: bare, npm_config_cache: join(tmp, 'npm-cache') }),
    );
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(
      'publish refused (@tempered/*): no private registry is configured for @tempered',
    );
    const view = await exec('npm', ['view', '@tempered/core', 'version'], { env: ws.env });
    expect(view.stderr).toContain('E404');
  });

  it('publishes every public package to the private registry, internal dependencies pinned', async () => {
    const result = await ws.publish();
    expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(0);
    const coreVersion = released.get('@tempered/core')!;
    for (const [name, version] of released) {
      expect(await npmView(`${name}@${version}`, 'version')).toBe(version);
    }
    for (const cli of CLIS) {
      const dependencies = (await npmView(`${cli.name}@${released.get(cli.name)}`, 'dependencies')) as Record<
        string,
        string
      >;
      expect(dependencies['@tempered/core']).toBe(`^${coreVersion}`);
    }
  });

  it('installs every CLI globally from it with npm i -g --prefix', async () => {
    await installClis();
    for (const cli of CLIS) expect(existsSync(join(prefix, 'bin', cli.bin!))).toBe(true);
  });
});

describe.each(CLIS.map((cli) => [cli.bin!, cli] as const))(
  'installed %s, run as cron runs it',
  (bin, cli) => {
    it('--version and --help: exit 0, plain text on stdout, nothing on stderr', async () => {
      const dir = await home(`${bin}-meta`);
      const version = await cron(bin, ['--version'], { prefix, home: dir });
      expect(version.code, describeResult(version)).toBe(0);
      expect(version.stdout).toMatch(new RegExp(`^${cli.name}/${released.get(cli.name)} \\S+ node-v\\d+`));
      expect(version.stderr).toBe('');

      const help = await cron(bin, ['--help'], { prefix, home: dir });
      expect(help.code, describeResult(help)).toBe(0);
      expect(help.stdout).toContain('USAGE');
      expect(help.stdout).toContain(`$ ${bin} [COMMAND]`);
      expect(help.stderr).toBe('');
      expectCronClean(bin, help);
    });

    it.skipIf(SCENARIOS[bin] === undefined)(
      'a dry-run changes nothing, a real run applies, both on the embedded defaults',
      async () => {
        const scenario = SCENARIOS[bin]!;
        const dir = await home(`${bin}-run`);
        const { dryRun, real } = await scenario.prepare(dir);

        const preview = await cron(bin, dryRun, { prefix, home: dir });
        expect(preview.code, describeResult(preview)).toBe(0);
        expectCronClean(bin, preview);
        expect(preview.logs.map((line) => line.msg)).toContain('run started');
        await scenario.afterDryRun(dir, preview);

        const applied = await cron(bin, real, { prefix, home: dir });
        expect(applied.code, describeResult(applied)).toBe(0);
        expectCronClean(bin, applied);
        expect(applied.logs.map((line) => line.msg)).toContain('run started');
        expect(applied.logs.filter((line) => line.level >= 50)).toEqual([]);
        await scenario.afterRealRun(dir, applied);

        // state went where cron's HOME says, with the run records stats reads
        expect(existsSync(join(dir, '.local', 'state', 'tempered', bin))).toBe(true);
        const stats = await cron(bin, ['stats', '--json'], { prefix, home: dir });
        expect(stats.code, describeResult(stats)).toBe(0);
        const document = JSON.parse(stats.stdout) as {
          status: string;
          result: { environments: { environment: string; runs: number; succeeded: number }[] };
        };
        expect(document.status).toBe('success');
        expect(document.result.environments).toEqual([
          expect.objectContaining({ environment: 'default', runs: 2, succeeded: 2 }),
        ]);
      },
    );

    it('help <command>, a typo (one JSON line naming the command meant, exit 2, also with --json) and shell completion, from the install', async () => {
      const dir = await home(`${bin}-plugins`);
      const ids = await commandIds(cli.path);
      const command = ids.includes('stats') ? 'stats' : ids[0]!;
      const words = command.split(':');

      const help = await cron(bin, ['help', ...words], { prefix, home: dir });
      expect(help.code, describeResult(help)).toBe(0);
      expect(help.stdout).toContain(`$ ${bin} ${words.join(' ')}`);
      expect(help.stderr).toBe('');

      const typo = [...words.slice(0, -1), words.at(-1)!.slice(0, -1)];
      const meant = `did you mean "${words.join(' ')}"?`;
      const wrong = await cron(bin, typo, { prefix, home: dir });
      expect(wrong.code, describeResult(wrong)).toBe(2);
      expectCronClean(bin, wrong);
      expect(wrong.stdout).toBe('');
      expect(wrong.logs).toHaveLength(1);
      expect(wrong.logs[0]).toMatchObject({ level: 50, code: 'E_USAGE', exit_code: 2 });
      expect(wrong.logs[0]?.msg).toContain(meant);
      expect(wrong.logs[0]?.msg).not.toMatch(/^Error/);

      const json = await cron(bin, [...typo, '--json'], { prefix, home: dir });
      expect(json.code, describeResult(json)).toBe(2);
      const document = JSON.parse(json.stdout) as {
        status: string;
        error: { code: string; message: string };
      };
      expect(document).toMatchObject({ status: 'error', error: { code: 'E_USAGE' } });
      expect(document.error.message).toContain(meant);

      const completion = await cron(bin, ['autocomplete', '--refresh-cache'], { prefix, home: dir });
      expect(completion.code, describeResult(completion)).toBe(0);
      const dirname = (cli.manifest as { oclif: { dirname: string } }).oclif.dirname;
      const bash = await readFile(
        join(dir, '.cache', dirname, 'autocomplete', 'functions', 'bash', `${bin}.bash`),
        'utf8',
      );
      expect(bash).toMatch(new RegExp(`^${words.join(':')} --json`, 'm'));
    });

    it('a usage error exits 2 with a JSON error line and no stack', async () => {
      const dir = await home(`${bin}-usage`);
      // any command of the CLI will do: stats when it has one
      const ids = await commandIds(cli.path);
      const command = ids.includes('stats') ? 'stats' : ids[0]!;
      const result = await cron(bin, [...command.split(':'), '--no-such-flag'], { prefix, home: dir });
      expect(result.code, describeResult(result)).toBe(2);
      expectCronClean(bin, result);
      expect(result.logs.some((line) => line.level >= 50)).toBe(true);
      expect(result.stderr).not.toMatch(/^\s+at /m);
    });
  },
);

describe.skipIf(!CLIS.some((cli) => cli.bin === 'file-sync'))(
  'overlapping runs of the installed file-sync',
  () => {
    it('a second run exits 75 at once while the first holds the lock; with --lock-wait it waits, then succeeds', async () => {
      const dir = await home('file-sync-overlap');
      const src = join(dir, 'src');
      // enough files, each fsynced, one at a time, for the first run to hold the lock for seconds
      for (let d = 0; d < 64; d++) {
        await mkdir(join(src, `d${d}`), { recursive: true });
        await Promise.all(
          Array.from({ length: 250 }, (_, i) =>
            writeFile(join(src, `d${d}`, `f${i}.txt`), `${d}/${i}\n`.repeat(100)),
          ),
        );
      }
      const dst = join(dir, 'dst');
      const options = { prefix, home: dir, timeoutMs: 300_000 };

      const first = new CronProcess(
        'file-sync',
        ['sync', src, dst, '--concurrency', '1', '--fsync'],
        options,
      );
      started.push(first);
      await first.waitForLog('applying plan');

      const second = await cron('file-sync', ['sync', src, dst], options);
      expect(
        first.running,
        'the first run finished before the second was refused: make the tree larger',
      ).toBe(true);
      expect(second.code, describeResult(second)).toBe(75);
      expect(second.durationMs).toBeLessThan(30_000);
      expect(second.stdout).toBe('');
      expectCronClean('file-sync', second);
      const refusal = second.logs.find((line) => line.level >= 50);
      expect(refusal).toMatchObject({ code: 'E_LOCK_HELD', exit_code: 75 });
      expect(refusal?.msg).toContain(`pid ${first.pid}`);

      const patient = new CronProcess('file-sync', ['sync', src, dst, '--lock-wait', '5m'], options);
      started.push(patient);
      await patient.waitForLog('lock held by another run; waiting');
      expect(first.running).toBe(true);

      const [a, c] = await Promise.all([first.done, patient.done]);
      expect(a.code, describeResult(a)).toBe(0);
      expect(c.code, describeResult(c)).toBe(0);
      expect(c.stdout).toMatch(/^No changes/m);
      expect(c.logs.map((line) => line.msg)).toContain('lock acquired after waiting');
    });
  },
);

describe('a patch of core', () => {
  it('is published, and a reinstall of each CLI picks it up', async () => {
    const coreBefore = released.get('@tempered/core')!;
    await ws.version('core-patch', { '@tempered/core': 'patch' }, 'A patch of core.');
    const after = new Map((await ws.packages()).map((p) => [p.name, p.version]));
    const corePatched = after.get('@tempered/core')!;
    expect(compareVersions(corePatched, coreBefore)).toBeGreaterThan(0);
    expect(corePatched.split('.').slice(0, 2)).toEqual(coreBefore.split('.').slice(0, 2));
    await ws.build();
    const published = await ws.publish();
    expect(published.code, `${published.stdout}\n${published.stderr}`).toBe(0);
    expect(await npmView('@tempered/core', 'version')).toBe(corePatched);

    await installClis();
    const listing = await execOk('npm', ['ls', '-g', '--prefix', prefix, '--all', '--json'], { env: ws.env });
    const tree = JSON.parse(listing.stdout) as {
      dependencies: Record<string, { version: string; dependencies?: Record<string, { version: string }> }>;
    };
    for (const cli of CLIS) {
      const installed = tree.dependencies[cli.name]!;
      expect(installed.version).toBe(after.get(cli.name));
      expect(installed.dependencies?.['@tempered/core']?.version).toBe(corePatched);
      const version = await cron(cli.bin!, ['--version'], { prefix, home: await home(`${cli.bin}-patched`) });
      expect(version.stdout).toContain(`${cli.name}/${after.get(cli.name)} `);
    }
  });
});
