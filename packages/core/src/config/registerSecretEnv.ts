import { readBoundedFile } from '../fs/readBoundedFile.js';
import { isSecretEnvName, type Redactor, secrets } from '../log/redact.js';
import { ConfigEnv, MAX_SECRET_FILE_BYTES, NON_SECRET_VAR_PREFIX } from './constants.js';

export interface RegisterSecretEnvOptions {
  /**
   * Names to register besides those the name rule marks: the config's `secretVars` and
   * TEMPERED_SECRET_VARS. `NAME_FILE` of a listed NAME is read too.
   */
  extraNames?: readonly string[];
  redactor?: Redactor;
}

const FILE_SUFFIX = '_FILE';

/** The names listed in TEMPERED_SECRET_VARS (comma-separated). */
function listedSecretVars(env: NodeJS.ProcessEnv): string[] {
  return (env[ConfigEnv.secretVars] ?? '')
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
}

/**
 * Registers as secrets the values of the environment variables a run may print without the
 * config ever reading them: a deploy hook that echoes `$DB_PASSWORD`, or `cat`s the file
 * `$DB_PASSWORD_FILE` names. Covered: names isSecretEnvName marks, the listed names, and the
 * content of every `*_FILE` (our own TEMPERED_* settings excepted: TEMPERED_LOG_FILE is a log);
 * the path a `*_FILE` holds is not a secret, whatever its name says.
 * A `*_FILE` that is not a regular file of at most MAX_SECRET_FILE_BYTES is skipped, not read:
 * it may name anything, and this must neither fail nor hold up a run.
 */
export async function registerSecretEnv(
  env: NodeJS.ProcessEnv,
  options: RegisterSecretEnvOptions = {},
): Promise<void> {
  const redactor = options.redactor ?? secrets;
  const listed = new Set([...listedSecretVars(env), ...(options.extraNames ?? [])]);
  const files: string[] = [];
  for (const [name, value] of Object.entries(env)) {
    if (!value) continue;
    const ours = name.startsWith(NON_SECRET_VAR_PREFIX);
    const isFile = name.endsWith(FILE_SUFFIX);
    // the value of HC_TOKEN_FILE is a path, which errors must be able to name: its content is the secret
    if (listed.has(name) || (!ours && !isFile && isSecretEnvName(name))) redactor.addSecret(value);
    if (isFile && (!ours || listed.has(name.slice(0, -FILE_SUFFIX.length)))) files.push(value);
  }
  await Promise.all(
    files.map(async (file) => {
      try {
        const text = (await readBoundedFile(file, { maxBytes: MAX_SECRET_FILE_BYTES })).toString('utf8');
        // as config reads it (the one trailing newline dropped): that also masks the whole text
        // wherever it is printed, and keeps the line break that follows it
        redactor.addSecret(text.replace(/\r?\n$/, ''));
      } catch {
        // not a secret file we can read: nothing to mask from it
      }
    }),
  );
}
