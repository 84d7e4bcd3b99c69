/**
 * `pnpm create-cli <name> [--description TEXT] [--skip-install]`: generates packages/<name> and
 * links it into the workspace: its importer written into pnpm-lock.yaml, then a frozen install. Exit 2 on a bad request, with
 * nothing written.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { findWorkspaceRoot, pnpmCommand } from '@tempered/registry';
import { CreateCliError } from './names.js';
import { scaffoldCli } from './scaffold.js';

const USAGE = 'Usage: pnpm create-cli <name> [--description TEXT] [--skip-install]';

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      description: { type: 'string' },
      'skip-install': { type: 'boolean', default: false },
      root: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (positionals.length > 1)
    throw new CreateCliError(`one name at a time, got ${positionals.join(', ')}\n${USAGE}`);
  // pnpm runs root scripts in the root; INIT_CWD is where the operator typed the command
  const root = values.root ?? findWorkspaceRoot(process.env.INIT_CWD ?? process.cwd());
  const name = positionals[0] as string;
  const result = await scaffoldCli({
    root,
    name,
    ...(values.description ? { description: values.description } : {}),
  });
  process.stdout.write(`Created ${result.packageName} in packages/${name}:\n`);
  for (const file of result.files) process.stdout.write(`  ${file}\n`);

  // the template is formatted for a short name; biome re-wraps the lines a long one made too long
  const biome = join(root, 'node_modules', '.bin', 'biome');
  if (existsSync(biome)) {
    spawnSync(biome, ['check', '--write', `packages/${name}`], { cwd: root, stdio: 'ignore' });
  }

  if (!values['skip-install']) {
    // the importer is in the lockfile already: a frozen install links it from the store, resolving
    // nothing, so it works offline and on a pnpm that has never fetched registry metadata
    const args = result.unlocked
      ? ['install', '--prefer-offline', '--no-frozen-lockfile']
      : ['install', '--prefer-offline', '--frozen-lockfile'];
    if (result.unlocked) process.stdout.write(`\npnpm-lock.yaml not updated (${result.unlocked})\n`);
    process.stdout.write(`\nLinking it into the workspace: pnpm ${args.join(' ')}\n`);
    const pnpm = await pnpmCommand(root);
    const install = spawnSync(pnpm, args, { cwd: root, stdio: 'inherit' });
    if (install.status !== 0) {
      process.stderr.write('pnpm install failed: run it again once the cause is fixed\n');
      return 1;
    }
  }
  process.stdout.write(
    [
      '',
      'Next:',
      `  pnpm turbo run test --filter=${result.packageName}    # build, typecheck, unit + integration tests`,
      `  node packages/${name}/bin/run.cjs apply --dry-run`,
      `  then replace the example job in packages/${name}/src (plan.ts, commands/apply.ts, section.ts),`,
      `  add a row for it to the README's package table, and edit .changeset/${name}-initial.md`,
      '',
    ].join('\n'),
  );
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    const parseError = (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
    if (error instanceof CreateCliError || parseError) {
      process.stderr.write(`create-cli: ${(error as Error).message}\n${parseError ? `${USAGE}\n` : ''}`);
      process.exitCode = 2;
      return;
    }
    process.stderr.write(
      `create-cli: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exitCode = 1;
  },
);
