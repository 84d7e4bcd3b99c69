import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CLI_BUILD_SCRIPT, CreateCliError, PUBLISH_GUARD_SCRIPT, render, scaffoldCli } from '../src/index.js';

const dirs: string[] = [];

/** The least of a workspace the scaffolder reads: the workspace file, core's package.json, one CLI. */
async function fakeWorkspace(): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'create-cli-unit-'));
  dirs.push(root);
  await writeFile(join(root, 'pnpm-workspace.yaml'), 'packages:\n  - packages/*\n  - tools/*\n');
  await mkdir(join(root, 'packages', 'core'), { recursive: true });
  await writeFile(
    join(root, 'packages', 'core', 'package.json'),
    JSON.stringify({
      name: '@tempered/core',
      version: '1.2.3',
      engines: { node: '>=20.18.1' },
      dependencies: {
        '@oclif/core': '4.14.0',
        zod: '4.6.7',
        pino: '10.4.0',
        undici: '7.30.2',
      },
    }),
  );
  await mkdir(join(root, 'packages', 'syncer'), { recursive: true });
  await writeFile(
    join(root, 'packages', 'syncer', 'package.json'),
    JSON.stringify({
      name: '@tempered/syncer',
      version: '1.0.0',
      bin: { 'file-mover': './bin/run.js' },
      oclif: { bin: 'file-mover' },
      dependencies: {
        '@oclif/plugin-help': '7.0.5',
        '@oclif/plugin-not-found': '4.0.5',
        '@oclif/plugin-autocomplete': '4.0.5',
      },
    }),
  );
  return root;
}

afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

describe('scaffoldCli', () => {
  it('writes packages/<name> from the template, its package.json and a changeset', async () => {
    const root = await fakeWorkspace();
    const result = await scaffoldCli({ root, name: 'backup-check', description: 'Checks the backups.' });

    expect(result.packageName).toBe('@tempered/backup-check');
    expect(result.files).toEqual([
      '.changeset/backup-check-initial.md',
      'packages/backup-check/COMMANDS.md',
      'packages/backup-check/README.md',
      'packages/backup-check/bin/run.cjs',
      'packages/backup-check/package.json',
      'packages/backup-check/src/commands/apply.ts',
      'packages/backup-check/src/commands/stats.ts',
      'packages/backup-check/src/index.ts',
      'packages/backup-check/src/job.ts',
      'packages/backup-check/src/plan.ts',
      'packages/backup-check/src/section.ts',
      'packages/backup-check/tests/integration/apply.test.ts',
      'packages/backup-check/tests/integration/helpers.ts',
      'packages/backup-check/tests/unit/plan.test.ts',
      'packages/backup-check/tsconfig.json',
      'packages/backup-check/tsconfig.test.json',
      'packages/backup-check/vitest.config.ts',
    ]);
    for (const file of result.files) {
      expect(await readFile(join(root, file), 'utf8'), file).not.toMatch(/__[A-Z]+__/);
    }
    expect((await stat(join(result.dir, 'bin', 'run.cjs'))).mode & 0o111).toBe(0o111);
    expect(await readFile(join(root, '.changeset', 'backup-check-initial.md'), 'utf8')).toBe(
      '---\n"@tempered/backup-check": minor\n---\n\nAdd @tempered/backup-check: Checks the backups.\n',
    );
    expect(await readFile(join(result.dir, 'README.md'), 'utf8')).toContain(
      '# @tempered/backup-check\n\nChecks the backups.',
    );
  });

  it('gives the package the product CLIs’ shape, with core’s own versions of @oclif/core and zod and the CLIs’ oclif plugins', async () => {
    const root = await fakeWorkspace();
    const { dir } = await scaffoldCli({ root, name: 'backup-check' });
    const manifest = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8'));
    expect(manifest).toMatchObject({
      name: '@tempered/backup-check',
      version: '0.0.0',
      type: 'module',
      bin: { 'backup-check': './bin/run.cjs' },
      oclif: {
        bin: 'backup-check',
        commands: { strategy: 'explicit', target: './dist/cli.cjs', identifier: 'COMMANDS' },
        topicSeparator: ' ',
        additionalHelpFlags: ['-h'],
        plugins: ['@oclif/plugin-help', '@oclif/plugin-not-found', '@oclif/plugin-autocomplete'],
      },
      publishConfig: { access: 'restricted' },
      scripts: { build: CLI_BUILD_SCRIPT, prepublishOnly: PUBLISH_GUARD_SCRIPT, test: 'vitest run' },
      dependencies: {
        '@oclif/core': '4.14.0',
        '@oclif/plugin-autocomplete': '4.0.5',
        '@oclif/plugin-help': '7.0.5',
        '@oclif/plugin-not-found': '4.0.5',
        '@tempered/core': 'workspace:^',
        undici: '7.30.2',
        zod: '4.6.7',
      },
      devDependencies: { '@tempered/bundler': 'workspace:*' },
    });
    expect(manifest.private).toBeUndefined();
    expect(manifest.files).toEqual(
      expect.arrayContaining(['bin', 'dist', 'oclif.manifest.json', 'COMMANDS.md']),
    );
  });

  it.each([
    ['', 'name the CLI'],
    ['Backup', 'is not a CLI name'],
    ['9lives', 'is not a CLI name'],
    ['a--b', 'is not a CLI name'],
    ['trailing-', 'is not a CLI name'],
    ['x'.repeat(41), 'is not a CLI name'],
    ['core', 'is reserved'],
    ['node', 'is reserved'],
  ])('refuses the name %j (%s), writing nothing', async (name, message) => {
    const root = await fakeWorkspace();
    const error = await scaffoldCli({ root, name }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CreateCliError);
    expect((error as CreateCliError).message).toContain(message);
    expect((error as CreateCliError).exitCode).toBe(2);
    expect(existsSync(join(root, '.changeset'))).toBe(false);
  });

  it('refuses a directory that exists and a command another package provides', async () => {
    const root = await fakeWorkspace();
    await expect(scaffoldCli({ root, name: 'syncer' })).rejects.toThrow('packages/syncer already exists');
    await expect(scaffoldCli({ root, name: 'file-mover' })).rejects.toThrow(
      'packages/syncer already provides @tempered/file-mover or the command file-mover',
    );
    expect(existsSync(join(root, 'packages', 'file-mover'))).toBe(false);
  });

  it('refuses, writing nothing, when no CLI of the workspace names a version of an oclif plugin', async () => {
    const root = await fakeWorkspace();
    const syncer = join(root, 'packages', 'syncer', 'package.json');
    const manifest = JSON.parse(await readFile(syncer, 'utf8'));
    delete manifest.dependencies['@oclif/plugin-not-found'];
    await writeFile(syncer, JSON.stringify(manifest));
    await expect(scaffoldCli({ root, name: 'backup-check' })).rejects.toThrow(
      'no CLI of the workspace depends on @oclif/plugin-not-found',
    );
    expect(existsSync(join(root, 'packages', 'backup-check'))).toBe(false);
  });
});

describe('render', () => {
  it('replaces every placeholder and refuses one without a value', () => {
    expect(render('__CLI__ is __PACKAGE__', { __CLI__: 'x', __PACKAGE__: '@tempered/x' })).toBe(
      'x is @tempered/x',
    );
    expect(() => render('__CLI__ __OTHER__', { __CLI__: 'x' })).toThrow(
      'template placeholder __OTHER__ has no value',
    );
  });
});
