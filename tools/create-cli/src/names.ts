/** A usage problem with the request (bad name, package exists): exit 2, nothing written. */
export class CreateCliError extends Error {
  override name = 'CreateCliError';
  readonly exitCode = 2;
}

/** kebab-case, starting with a letter: the directory, the package's last segment and the command. */
const NAME = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;

/** Not our package names, nor commands an operator already has on PATH. */
const RESERVED = new Set([
  'core',
  'registry',
  'testkit',
  'node',
  'npm',
  'npx',
  'pnpm',
  'cron',
  'crontab',
  'test',
  'sh',
  'bash',
  'env',
  'deploy-cli',
]);

/** Throws a CreateCliError that says what a valid name looks like. */
export function assertCliName(name: string | undefined): asserts name is string {
  if (!name)
    throw new CreateCliError('name the CLI: pnpm create-cli <name>, e.g. pnpm create-cli backup-check');
  if (!NAME.test(name) || name.length > 40) {
    throw new CreateCliError(
      `"${name}" is not a CLI name: use lowercase letters, digits and single dashes, starting with a letter, at most 40 characters (e.g. backup-check)`,
    );
  }
  if (RESERVED.has(name))
    throw new CreateCliError(`"${name}" is reserved: pick a name that says what the job does`);
}
