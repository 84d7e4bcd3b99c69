import { stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { ConfigError } from '../errors/index.js';
import { ConfigEnv, LOCAL_CONFIG_FILES, SYSTEM_CONFIG_FILE, USER_CONFIG_FILE } from './constants.js';
import type { ConfigSource } from './types.js';

export interface FoundConfigFile {
  path: string | undefined;
  source: ConfigSource;
}

/** `~/x` only: cron does not expand it in TEMPERED_CONFIG=~/..., and shells leave it alone in flags like --config=~/x. */
export function expandHome(path: string, env: NodeJS.ProcessEnv): string {
  if (path !== '~' && !path.startsWith('~/')) return path;
  return join(env.HOME || homedir(), path.slice(1));
}

/** 'file', 'missing', or what else is in the way (a directory, a permission error code). */
async function probe(path: string): Promise<string> {
  try {
    const info = await stat(path);
    return info.isFile() ? 'file' : info.isDirectory() ? 'a directory' : 'not a regular file';
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unknown error';
    return code === 'ENOENT' || code === 'ENOTDIR' ? 'missing' : code;
  }
}

function userConfigPath(env: NodeJS.ProcessEnv): string {
  // the XDG spec says a relative XDG_CONFIG_HOME is invalid and must be ignored
  const xdg = env.XDG_CONFIG_HOME;
  const base = xdg && isAbsolute(xdg) ? xdg : join(env.HOME || homedir(), '.config');
  return join(base, USER_CONFIG_FILE);
}

/**
 * --config, else TEMPERED_CONFIG, else the first default file that exists: ./tempered.yml (.yaml,
 * .json), the user's `$XDG_CONFIG_HOME/tempered/config.yml`, the machine's
 * `/etc/tempered/config.yml`. A named file that is missing is an error (the operator meant it);
 * a missing default file just means no config.
 */
export async function findConfigFile(options: {
  path?: string | undefined;
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** The machine-wide file; tests point it elsewhere. */
  systemConfig?: string;
}): Promise<FoundConfigFile> {
  const { env, cwd } = options;
  const named = options.path ? 'flag' : env[ConfigEnv.config] ? 'env' : undefined;
  if (named) {
    const given = named === 'flag' ? (options.path as string) : (env[ConfigEnv.config] as string);
    const path = resolve(cwd, expandHome(given, env));
    const found = await probe(path);
    if (found !== 'file') {
      const hint =
        named === 'flag'
          ? 'check the --config path, or leave it out to use ./tempered.yml or the embedded defaults'
          : `check ${ConfigEnv.config}, or unset it to use ./tempered.yml or the embedded defaults`;
      const message =
        found === 'missing' ? `config file not found: ${path}` : `cannot read config file ${path}: ${found}`;
      throw new ConfigError(message, { file: path, hint });
    }
    return { path, source: named };
  }
  const candidates = [
    ...LOCAL_CONFIG_FILES.map((name) => join(cwd, name)),
    userConfigPath(env),
    options.systemConfig ?? SYSTEM_CONFIG_FILE,
  ];
  for (const candidate of candidates) {
    const path = resolve(cwd, candidate);
    if ((await probe(path)) === 'file') return { path, source: 'default' };
  }
  return { path: undefined, source: 'none' };
}
