import { ConfigError } from '../errors/index.js';
import { readBoundedFileSync } from '../fs/readBoundedFile.js';
import { SECRET_KEY_PATTERN, secrets } from '../log/redact.js';
import { formatBytes } from '../util/bytes.js';
import {
  ConfigEnv,
  MAX_SECRET_FILE_BYTES,
  NON_SECRET_VAR_PREFIX,
  SECRET_VAR_PATTERN,
  UNSAFE_KEYS,
} from './constants.js';
import { isPlainObject } from './deepMerge.js';
import { formatKeyPath, type KeyPath } from './formatIssue.js';

export interface InterpolationContext {
  env: NodeJS.ProcessEnv;
  /** Named in errors; undefined only for values that did not come from a file. */
  file: string | undefined;
}

// `$${` is an escaped literal `${`; `${...}` a placeholder; a lone `${` an unclosed one
const TOKEN = /\$\$\{|\$\{([^{}]*)\}|\$\{/g;
const PLACEHOLDER_BODY = /^([A-Za-z_][A-Za-z0-9_]*)(?::-(.*))?$/s;

/**
 * Whether a variable's value must be kept out of logs: named in TEMPERED_SECRET_VARS, or (for
 * anything but our own TEMPERED_* settings variables) a name that looks like a secret.
 */
export function isSecretVariable(name: string, env: NodeJS.ProcessEnv): boolean {
  const listed = env[ConfigEnv.secretVars];
  if (listed?.split(',').some((entry) => entry.trim() === name)) return true;
  if (name.startsWith(NON_SECRET_VAR_PREFIX)) return false;
  return SECRET_VAR_PATTERN.test(name);
}

function fail(ctx: InterpolationContext, path: KeyPath, what: string, hint: string): never {
  const keyPath = formatKeyPath(path);
  const where = [ctx.file, keyPath].filter(Boolean).join(': ');
  throw new ConfigError(`${where}: ${what}`, { file: ctx.file, keyPath, hint });
}

/**
 * Docker-style secret file: the whole content, minus the one newline editors and `echo` add.
 * A FIFO or a device named here would block the run or never end: only a regular file of at
 * most MAX_SECRET_FILE_BYTES is read (synchronously, as interpolation is, which is bounded then).
 */
function readSecretFile(ctx: InterpolationContext, path: KeyPath, variable: string, file: string): string {
  let text: string;
  try {
    text = readBoundedFileSync(file, { maxBytes: MAX_SECRET_FILE_BYTES }).toString('utf8');
  } catch (error) {
    const reason = (error as Error).message || 'unreadable';
    fail(
      ctx,
      path,
      `cannot read ${variable}=${file}: ${reason}`,
      `point ${variable} at a regular file of at most ${formatBytes(MAX_SECRET_FILE_BYTES)} that this user can read`,
    );
  }
  const value = text.replace(/\r?\n$/, '');
  secrets.addSecret(value);
  return value;
}

function resolveVariable(
  ctx: InterpolationContext,
  path: KeyPath,
  name: string,
  fallback: string | undefined,
): string {
  const { env } = ctx;
  let value = env[name];
  if (value === undefined || value === '') {
    const fileVariable = `${name}_FILE`;
    const file = env[fileVariable];
    if (file) return readSecretFile(ctx, path, fileVariable, file);
  }
  if ((value === undefined || value === '') && fallback !== undefined) value = fallback;
  if (value === undefined) {
    fail(
      ctx,
      path,
      `variable ${name} is not set`,
      `set ${name} (or ${name}_FILE), or give a default in the file: \${${name}:-value}`,
    );
  }
  if (isSecretVariable(name, env)) secrets.addSecret(value);
  return value;
}

export function interpolateString(text: string, ctx: InterpolationContext, path: KeyPath): string {
  if (!text.includes('${')) return text;
  return text.replace(TOKEN, (token: string, body: string | undefined) => {
    if (token === '$${') return '${';
    const match = body === undefined ? null : PLACEHOLDER_BODY.exec(body);
    if (!match?.[1]) {
      const shown = body === undefined ? '${' : token;
      return fail(
        ctx,
        path,
        `expected \${NAME} or \${NAME:-default}, got ${JSON.stringify(shown)}`,
        'write $${ for a literal ${',
      );
    }
    return resolveVariable(ctx, path, match[1], match[2]);
  });
}

/**
 * Resolves placeholders in every string of a sub-tree, and registers as secrets the values
 * that come from secret variables or `_FILE`s and everything under a secret-looking key.
 */
export function interpolate(
  value: unknown,
  ctx: InterpolationContext,
  path: KeyPath,
  secret = false,
): unknown {
  if (typeof value === 'string') {
    const out = interpolateString(value, ctx, path);
    if (secret) secrets.addSecret(out);
    return out;
  }
  if (typeof value === 'number') {
    if (secret) secrets.addSecret(value);
    return value;
  }
  if (Array.isArray(value))
    return value.map((item, index) => interpolate(item, ctx, [...path, index], secret));
  if (!isPlainObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value)) {
    if (UNSAFE_KEYS.has(key)) continue;
    out[key] = interpolate(child, ctx, [...path, key], secret || SECRET_KEY_PATTERN.test(key));
  }
  return out;
}

/** True when a string still holds a placeholder, i.e. its final value depends on the environment. */
export function hasPlaceholder(value: unknown): boolean {
  return typeof value === 'string' && value.replaceAll('$${', '').includes('${');
}
