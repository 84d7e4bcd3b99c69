/**
 * The starter kit end to end: `pnpm create-cli <name>` in a temp copy of the workspace, then the
 * generated package must build (tsc, oclif manifest, COMMANDS.md), typecheck, pass its own unit
 * and integration tests, lint clean, and run its dry-run the way cron would.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  cleanEnv,
  copyAndInstallWorkspace,
  exec,
  execOk,
  findWorkspaceRoot,
  pnpmCommand,
  sweepStaleTempDirs,
} from '@tempered/registry';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = findWorkspaceRoot(fileURLToPath(import.meta.url));
const NAME = 'nightly-report';
// biome-ignore lint/suspicious/noControlCharactersInRegex: stripping colour codes from tool output
const ANSI = /\u001b\[[0-9;]*m/g;

let tmp: string;
let ws: string;
let pnpm: string;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  await sweepStaleTempDirs('tempered-create-cli-');
  tmp = await mkdtemp(join(tmpdir(), 'tempered-create-cli-'));
  ws = join(tmp, 'ws');
  await copyAndInstallWorkspace(ROOT, ws);
  pnpm = await pnpmCommand(ROOT);
  // the scaffolder's own `pnpm install` is frozen (it writes the new importer into the lockfile
  // itself): forced offline, with the store the real install filled, it must need nothing more
  const store = (await execOk(pnpm, ['store', 'path'], { cwd: ROOT, env: cleanEnv() })).stdout.trim();
  env = cleanEnv({
    CI: '1',
    // turbo finds the package manager on PATH
    PATH: [dirname(pnpm), process.env.PATH].join(delimiter),
    npm_config_offline: 'true',
    npm_config_store_dir: store,
    TURBO_TELEMETRY_DISABLED: '1',
    // .ci/run's empty cache, when set: pnpm's metadata cache then starts cold, as on a new machine
    ...(process.env.XDG_CACHE_HOME ? { XDG_CACHE_HOME: process.env.XDG_CACHE_HOME } : {}),
  });
});

afterAll(async () => {
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

describe('pnpm create-cli <name>', () => {
  it('generates a package wired into the workspace that builds, passes its own tests and runs its dry-run', async () => {
    const created = await execOk(pnpm, ['create-cli', NAME], { cwd: ws, env });
    expect(created.stdout).toContain(`Created @tempered/${NAME} in packages/${NAME}:`);
    const dir = join(ws, 'packages', NAME);
    // linked: the workspace's @tempered/core is in its node_modules
    expect(existsSync(join(dir, 'node_modules', '@tempered', 'core', 'package.json'))).toBe(true);
    expect(existsSync(join(ws, '.changeset', `${NAME}-initial.md`))).toBe(true);
    expect(created.stdout).toContain('pnpm install --prefer-offline --frozen-lockfile');
    expect(await readFile(join(ws, 'pnpm-lock.yaml'), 'utf8')).toContain(`\n  packages/${NAME}:\n`);

    // what CI runs for it: build (deps first), typecheck, unit + integration tests
    const tested = await execOk(
      pnpm,
      ['turbo', 'run', 'test', `--filter=@tempered/${NAME}`, '--output-logs=full', '--log-prefix=none'],
      { cwd: ws, env, timeoutMs: 300_000 },
    );
    const output = tested.stdout.replace(ANSI, '');
    expect(output).toMatch(/Tests\s+9 passed \(9\)/);
    expect(existsSync(join(dir, 'oclif.manifest.json'))).toBe(true);
    const reference = await readFile(join(dir, 'COMMANDS.md'), 'utf8');
    expect(reference).toContain(`## \`${NAME} apply [TARGET]\``);
    // the oclif plugins are wired: help and completion are commands of the new CLI
    expect(reference).toContain(`## \`${NAME} help [COMMAND]\``);
    expect(reference).toContain(`## \`${NAME} autocomplete [SHELL]\``);

    const lint = await exec(
      join(ws, 'node_modules', '.bin', 'biome'),
      ['ci', '--colors=off', `packages/${NAME}`],
      {
        cwd: ws,
        env,
      },
    );
    expect(lint.code, lint.stdout + lint.stderr).toBe(0);

    // the dry-run, as cron would run it: bare environment, no TTY, stdin from /dev/null
    const home = join(tmp, 'home');
    const cronEnv = { HOME: home, PATH: '/usr/bin:/bin' };
    const dryRun = await exec(
      process.execPath,
      [join(dir, 'bin', 'run.cjs'), 'apply', join(home, 'out'), '--dry-run'],
      {
        cwd: tmp,
        env: cronEnv,
      },
    );
    expect(dryRun.code, dryRun.stderr).toBe(0);
    expect(dryRun.stdout).toContain('+ hello.txt (missing)');
    expect(existsSync(join(home, 'out'))).toBe(false);
    const logs = dryRun.stderr
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { msg: string; cli: string });
    expect(logs.map((line) => line.msg)).toContain('dry run: plan printed, nothing changed');
    expect(logs.every((line) => line.cli === NAME)).toBe(true);

    const help = await exec(process.execPath, [join(dir, 'bin', 'run.cjs'), '--help'], {
      cwd: tmp,
      env: cronEnv,
    });
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/apply\s+Make a directory hold exactly the configured files/);
    expect(help.stdout).toMatch(/stats\s+Show run count/);
    expect(help.stderr).toBe('');
  });

  it('refuses a name that is taken, with exit 2, writing nothing', async () => {
    const refused = await exec(pnpm, ['create-cli', 'file-sync', '--skip-install'], { cwd: ws, env });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('create-cli: packages/file-sync already exists: pick another name');
    expect(existsSync(join(ws, '.changeset', 'file-sync-initial.md'))).toBe(false);
  });
});
