import type { z } from 'zod';
import { ConfigError } from '../errors/index.js';
import { SECRET_KEY_PATTERN, secrets } from '../log/redact.js';
import { didYouMean } from './suggest.js';

export type KeyPath = readonly PropertyKey[];

type Issue = z.core.$ZodIssue;

/** `environments.prod.deploy.targets[2].url`: the form every config message uses. */
export function formatKeyPath(path: KeyPath): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else out += out === '' ? String(segment) : `.${String(segment)}`;
  }
  return out;
}

const TYPE_NAMES: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'an integer',
  bigint: 'an integer',
  boolean: 'true or false',
  object: 'a mapping',
  record: 'a mapping',
  map: 'a mapping',
  array: 'a list',
  tuple: 'a list',
  set: 'a list',
  null: 'null',
  date: 'a date',
};

const MAX_SHOWN = 60;

/** The "got" half: values shown as written, but never one under a secret-looking key. */
export function describeValue(value: unknown, path: KeyPath = []): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (path.some((segment) => typeof segment === 'string' && SECRET_KEY_PATTERN.test(segment))) {
    return `a ${typeof value} (hidden)`;
  }
  if (typeof value === 'string') {
    // redact the whole value first: a secret cut in half by the truncation no longer matches
    const redacted = secrets.redactString(value);
    const shown = redacted.length > MAX_SHOWN ? `${redacted.slice(0, MAX_SHOWN)}...` : redacted;
    return JSON.stringify(shown);
  }
  return secrets.redactString(String(value));
}

function quote(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

function size(origin: string, bound: number | bigint, inclusive: boolean | undefined, more: boolean): string {
  const word = inclusive === false ? (more ? 'more than' : 'less than') : more ? 'at least' : 'at most';
  if (origin === 'string') {
    return more && bound === 1 && inclusive !== false
      ? 'a non-empty string'
      : `a string of ${word} ${bound} characters`;
  }
  if (origin === 'array' || origin === 'set') {
    return more && bound === 1 && inclusive !== false
      ? 'a non-empty list'
      : `a list of ${word} ${bound} items`;
  }
  const sign = inclusive === false ? (more ? '>' : '<') : more ? '>=' : '<=';
  return `a number ${sign} ${bound}`;
}

/** The "expected" half, built from the issue's fields rather than zod's English sentences. */
export function describeExpected(issue: Issue): string {
  switch (issue.code) {
    case 'invalid_type':
      return TYPE_NAMES[issue.expected] ?? issue.expected;
    case 'invalid_value':
      return issue.values.length === 1
        ? quote(issue.values[0])
        : `one of ${issue.values.map(String).join(', ')}`;
    case 'too_small':
      return size(issue.origin, issue.minimum, issue.inclusive, true);
    case 'too_big':
      return size(issue.origin, issue.maximum, issue.inclusive, false);
    case 'invalid_format':
      if (issue.format === 'regex' && 'pattern' in issue) return `a string matching ${String(issue.pattern)}`;
      return issue.format === 'url' ? 'a URL' : `a valid ${issue.format}`;
    case 'not_multiple_of':
      return `a multiple of ${issue.divisor}`;
    case 'invalid_union': {
      if ('options' in issue && Array.isArray(issue.options)) return `one of ${issue.options.join(', ')}`;
      const branches = issue.errors.map((branch) =>
        branch[0] ? describeExpected(branch[0]) : 'a valid value',
      );
      return [...new Set(branches)].join(' or ');
    }
    case 'invalid_key':
      return issue.issues[0] ? `keys that are ${describeExpected(issue.issues[0])}` : 'valid keys';
    case 'unrecognized_keys':
      return `no key ${issue.keys.map(quote).join(', ')}`;
    default:
      return issue.message && issue.message !== 'Invalid input' ? issue.message : 'a valid value';
  }
}

function valueAt(root: unknown, path: KeyPath): unknown {
  let node = root;
  for (const segment of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<PropertyKey, unknown>)[segment];
  }
  return node;
}

/**
 * A union whose branches all failed on the value's type reads best as "a or b"; when one branch
 * got further (the right shape, a wrong field inside), its deeper issue is the useful one.
 */
function deepestIssue(issue: Issue): Issue {
  if (issue.code !== 'invalid_union') return issue;
  for (const branch of issue.errors) {
    const first = branch[0];
    if (first && first.path.length > 0) return { ...first, path: [...issue.path, ...first.path] } as Issue;
  }
  return issue;
}

export interface FormattedIssue {
  keyPath: string;
  message: string;
}

/** One issue as one line, `<where>: <key.path>: expected <what>, got <what>`. */
export function formatIssue(
  raw: Issue,
  root: unknown,
  where: string | undefined,
  prefix: KeyPath = [],
  schema?: z.ZodType,
): FormattedIssue & { hint?: string } {
  const issue = deepestIssue(raw);
  const lead = where === undefined ? '' : `${where}: `;
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0] ?? '';
    const keyPath = formatKeyPath([...prefix, ...issue.path, key]);
    const more = issue.keys.length > 1 ? ` (and ${issue.keys.length - 1} more)` : '';
    const suggestion = schema ? didYouMean(key, knownKeysAt(schema, issue.path)) : undefined;
    if (suggestion === undefined) return { keyPath, message: `${lead}${keyPath}: unknown key${more}` };
    return {
      keyPath,
      message: `${lead}${keyPath}: unknown key, did you mean "${suggestion}"?${more}`,
      hint: `rename "${key}" to "${suggestion}"`,
    };
  }
  const keyPath = formatKeyPath([...prefix, ...issue.path]);
  const got = describeValue(valueAt(root, issue.path), [...prefix, ...issue.path]);
  const at = keyPath === '' ? '' : `${keyPath}: `;
  return { keyPath, message: `${lead}${at}expected ${describeExpected(issue)}, got ${got}` };
}

/**
 * Validates and returns the parsed value, or throws a ConfigError whose message is the first
 * issue on one line. `prefix` places a sub-tree (an environment's section) back in the file.
 */
export function parseWith<S extends z.ZodType>(
  schema: S,
  value: unknown,
  where: {
    file?: string | undefined;
    label?: string | undefined;
    prefix?: KeyPath | ((path: KeyPath) => KeyPath);
  },
): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  // a misspelt key usually shows up twice, as unknown and as missing: the unknown one says more
  const issues = [...result.error.issues].sort(
    (a, b) => Number(b.code === 'unrecognized_keys') - Number(a.code === 'unrecognized_keys'),
  );
  const [first, ...rest] = issues;
  if (!first)
    throw new ConfigError(`${where.label ?? where.file ?? 'config'}: invalid`, { file: where.file });
  const prefix = typeof where.prefix === 'function' ? where.prefix(first.path) : where.prefix;
  const { keyPath, message, hint } = formatIssue(first, value, where.label ?? where.file, prefix, schema);
  const more =
    rest.length === 0 ? '' : ` (and ${rest.length} more ${rest.length === 1 ? 'problem' : 'problems'})`;
  return throwConfigError(`${message}${more}`, where.file, keyPath, hint);
}

function throwConfigError(
  message: string,
  file: string | undefined,
  keyPath: string,
  hint: string | undefined,
): never {
  throw new ConfigError(message, {
    file,
    keyPath: keyPath === '' ? undefined : keyPath,
    ...(hint ? { hint } : {}),
  });
}

type SchemaNode = { _zod?: { def?: Record<string, unknown> & { type?: string } } } | undefined;

/** Wrappers that do not change which keys an object takes. */
const TRANSPARENT = new Set([
  'optional',
  'nullable',
  'default',
  'prefault',
  'readonly',
  'catch',
  'nonoptional',
]);

function unwrap(node: SchemaNode): SchemaNode {
  let current = node;
  for (let depth = 0; depth < 20 && current?._zod?.def; depth++) {
    const def = current._zod.def;
    if (def.type && TRANSPARENT.has(def.type)) current = def.innerType as SchemaNode;
    else if (def.type === 'pipe') current = def.in as SchemaNode;
    else break;
  }
  return current;
}

/** The keys the object schema at `path` knows: what a misspelt key inside a section is compared with. */
function knownKeysAt(schema: z.ZodType, path: KeyPath): string[] {
  let node = unwrap(schema as unknown as SchemaNode);
  for (const segment of path) {
    const def = node?._zod?.def;
    if (def?.type === 'object') node = unwrap((def.shape as Record<PropertyKey, SchemaNode>)[segment]);
    else if (def?.type === 'array') node = unwrap(def.element as SchemaNode);
    else if (def?.type === 'record') node = unwrap(def.valueType as SchemaNode);
    else return [];
  }
  const def = node?._zod?.def;
  return def?.type === 'object' ? Object.keys(def.shape as object) : [];
}
