import { ConfigError } from '../errors/index.js';
import { ENVIRONMENT_KEYS, ENVIRONMENT_NAME_PATTERN, RETRY_KEYS, TOP_LEVEL_KEYS } from './constants.js';
import { isPlainObject, type PlainObject } from './deepMerge.js';
import { describeValue, formatKeyPath, type KeyPath } from './formatIssue.js';
import { didYouMean } from './suggest.js';

export interface CheckedDocument {
  data: PlainObject;
  environments: string[];
}

function fail(file: string, path: KeyPath, what: string, hint?: string): never {
  const keyPath = formatKeyPath(path);
  throw new ConfigError(`${file}: ${keyPath ? `${keyPath}: ` : ''}${what}`, { file, keyPath, hint });
}

function expectMapping(file: string, path: KeyPath, value: unknown): void {
  if (!isPlainObject(value)) fail(file, path, `expected a mapping, got ${describeValue(value, path)}`);
}

/**
 * Typos in key names are the commonest config mistake and zod cannot see them here, because
 * one file also carries the sections of other CLIs. So: a key close to a known one is a typo;
 * a mapping under any other name is taken as another CLI's section; anything else is an error.
 */
function checkKeys(file: string, path: KeyPath, node: PlainObject, known: readonly string[]): void {
  for (const [key, value] of Object.entries(node)) {
    if (known.includes(key)) continue;
    const suggestion = didYouMean(key, known);
    if (suggestion !== undefined) {
      fail(
        file,
        [...path, key],
        `unknown key, did you mean "${suggestion}"?`,
        `rename "${key}" to "${suggestion}"`,
      );
    }
    if (!isPlainObject(value)) {
      fail(file, [...path, key], 'unknown key', `known keys: ${known.join(', ')}`);
    }
  }
}

function checkRetry(file: string, path: KeyPath, node: PlainObject): void {
  const retry = node.retry;
  if (!isPlainObject(retry)) return; // a wrong type is reported by the schema, with the value
  for (const key of Object.keys(retry)) {
    if ((RETRY_KEYS as readonly string[]).includes(key)) continue;
    const suggestion = didYouMean(key, RETRY_KEYS);
    fail(
      file,
      [...path, 'retry', key],
      suggestion ? `unknown key, did you mean "${suggestion}"?` : 'unknown key',
      suggestion ? `rename "${key}" to "${suggestion}"` : `known keys: ${RETRY_KEYS.join(', ')}`,
    );
  }
}

/**
 * Shape checks that hold whatever the variables say: the top level and each environment are
 * mappings, names are safe, keys are known. An empty environment (`staging:` with nothing
 * under it) is read as `{}`. Values are checked later, after interpolation.
 */
export function checkStructure(raw: unknown, file: string, cli: string): CheckedDocument {
  expectMapping(file, [], raw);
  const data: PlainObject = { ...(raw as PlainObject) };
  checkKeys(file, [], data, [...TOP_LEVEL_KEYS, cli]);
  checkRetry(file, [], data);
  if (data[cli] !== undefined) expectMapping(file, [cli], data[cli]);

  if (data.environments === null || data.environments === undefined) {
    delete data.environments;
    return { data, environments: [] };
  }
  expectMapping(file, ['environments'], data.environments);
  const environments: PlainObject = {};
  for (const [name, value] of Object.entries(data.environments as PlainObject)) {
    if (!ENVIRONMENT_NAME_PATTERN.test(name)) {
      fail(
        file,
        ['environments'],
        `expected environment names of letters, digits, ".", "_" and "-", got ${JSON.stringify(name)}`,
      );
    }
    const env = value ?? {};
    expectMapping(file, ['environments', name], env);
    checkKeys(file, ['environments', name], env as PlainObject, [...ENVIRONMENT_KEYS, cli]);
    checkRetry(file, ['environments', name], env as PlainObject);
    if ((env as PlainObject)[cli] !== undefined)
      expectMapping(file, ['environments', name, cli], (env as PlainObject)[cli]);
    environments[name] = env;
  }
  data.environments = environments;
  return { data, environments: Object.keys(environments) };
}
