import { extname } from 'node:path';
import { ConfigError } from '../errors/index.js';
import { BoundedReadError, readBoundedFile } from '../fs/readBoundedFile.js';
import { secrets } from '../log/redact.js';
import { checkExpandedSize, findJsonTooDeep, tooDeepError, tooLargeError } from './configLimits.js';
import { CONFIG_EXTENSIONS, CONFIG_LIMITS } from './constants.js';

interface Position {
  line: number;
  col: number;
}

function parseError(file: string, format: string, reason: string, at: Position | undefined): ConfigError {
  const where = at ? `${file}:${at.line}:${at.col}` : file;
  // parser messages can quote the offending text, and that text may be a secret
  return new ConfigError(`${where}: invalid ${format}: ${secrets.redactString(reason)}`, {
    file,
    hint: `fix the syntax in ${file}${at ? ` at line ${at.line}` : ''}`,
  });
}

function positionOf(text: string, offset: number): Position {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return { line, col: offset - before.lastIndexOf('\n') };
}

/** V8's words for a stack overflow: a parser that recursed into a document nested too deep. */
function isStackOverflow(message: string): boolean {
  return message.includes('Maximum call stack size exceeded');
}

async function parseYaml(file: string, text: string): Promise<unknown> {
  // loaded here, not at the top: a CLI run without a YAML file never pays for the parser
  const { parseDocument, visit } = await import('yaml');
  let doc: ReturnType<typeof parseDocument>;
  try {
    doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  } catch (error) {
    if (error instanceof RangeError) throw tooDeepError(file);
    throw error;
  }
  // an unknown tag (`!!js/function`, `!custom`) is only a warning to yaml, which then keeps the
  // text: a config that asks for a type we do not have is refused instead
  const [first] = [...doc.errors, ...doc.warnings.filter((w) => w.code === 'TAG_RESOLVE_FAILED')];
  if (first) {
    // yaml reports its own stack overflow on a deep document as a syntax error at some spot
    if (isStackOverflow(first.message)) throw tooDeepError(file, first.linePos?.[0]?.line);
    const reason = (first.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '');
    throw parseError(file, 'YAML', reason, first.linePos?.[0]);
  }
  let aliases = 0;
  visit(doc, {
    Alias() {
      aliases++;
    },
  });
  if (aliases > CONFIG_LIMITS.maxAliases) {
    throw parseError(
      file,
      'YAML',
      `${aliases} aliases, more than the limit of ${CONFIG_LIMITS.maxAliases}`,
      undefined,
    );
  }
  let value: unknown;
  try {
    // yaml's own alias cap (per anchor) stays on; a file of comments only is a null document,
    // and means an empty config
    value = doc.toJS({ maxAliasCount: CONFIG_LIMITS.maxAliases }) ?? {};
  } catch (error) {
    const message = (error as Error).message;
    if (isStackOverflow(message)) throw tooDeepError(file);
    throw parseError(file, 'YAML', message, undefined);
  }
  // aliases share one object in `value`: the walk counts each use, as merging and
  // interpolation (which copy) will
  const refusal = checkExpandedSize(file, value);
  if (refusal) throw refusal;
  return value;
}

async function parseJson(file: string, text: string): Promise<unknown> {
  // before JSON.parse: the walks after it recurse, and a deep file would overflow the stack
  const tooDeep = findJsonTooDeep(text);
  if (tooDeep !== undefined) throw tooDeepError(file, positionOf(text, tooDeep).line);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const message = (error as Error).message;
    const reason = message
      .replace(/, ".*" is not valid JSON$/s, '')
      .replace(/ in JSON at position \d+.*$/s, '');
    const offset = /position (\d+)/.exec(message)?.[1];
    return Promise.reject(
      parseError(file, 'JSON', reason, offset ? positionOf(text, Number(offset)) : await locate(text)),
    );
  }
  // JSON.parse keeps the last of two equal keys without a word: an edit that repeats a key
  // silently drops the first, so refuse it, as YAML files already are
  const duplicate = findDuplicateKey(text);
  if (duplicate) {
    throw parseError(file, 'JSON', `duplicate key ${secrets.redactString(duplicate.key)}`, duplicate.at);
  }
  return value;
}

/**
 * The first key that appears twice in one object, with where its second use is. Runs on text
 * that JSON.parse accepted, so it only has to follow strings and nesting; a scan of our own
 * rather than a second parser: a JSON config must not pay for loading YAML.
 */
function findDuplicateKey(text: string): { key: string; at: Position } | undefined {
  // one entry per open object (its keys) or array (null); `expectKey`: the next string is a key
  const stack: (Set<string> | null)[] = [];
  let expectKey = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (char === '"') {
      let end = i + 1;
      while (text[end] !== '"') end += text[end] === '\\' ? 2 : 1;
      const top = stack.at(-1);
      if (expectKey && top) {
        const key = JSON.parse(text.slice(i, end + 1)) as string;
        if (top.has(key)) return { key: JSON.stringify(key), at: positionOf(text, i) };
        top.add(key);
      }
      expectKey = false;
      i = end;
    } else if (char === '{') {
      stack.push(new Set());
      expectKey = true;
    } else if (char === '[') {
      stack.push(null);
      expectKey = false;
    } else if (char === '}' || char === ']') {
      stack.pop();
    } else if (char === ',') {
      expectKey = stack.at(-1) instanceof Set;
    }
  }
  return undefined;
}

/** V8 names no position for some JSON errors; YAML's JSON mode is strict enough to find the spot. */
async function locate(text: string): Promise<Position | undefined> {
  const { parseDocument } = await import('yaml');
  return parseDocument(text, { prettyErrors: true, schema: 'json' }).errors[0]?.linePos?.[0];
}

/**
 * Reads and parses a config file by its extension; an empty file is an empty config. The file
 * is untrusted: only a regular file is read, and CONFIG_LIMITS bound its size, its nesting and
 * (YAML) its aliases, each refusal a ConfigError naming the file and the limit.
 */
export async function readConfigFile(file: string): Promise<unknown> {
  const extension = extname(file).toLowerCase();
  if (!(CONFIG_EXTENSIONS as readonly string[]).includes(extension)) {
    throw new ConfigError(
      `${file}: unsupported config file type "${extension || '(none)'}"; expected ${CONFIG_EXTENSIONS.join(', ')}`,
      { file },
    );
  }
  let text: string;
  try {
    text = (await readBoundedFile(file, { maxBytes: CONFIG_LIMITS.maxBytes })).toString('utf8');
  } catch (error) {
    if (error instanceof BoundedReadError && error.code === 'E_TOO_LARGE') throw tooLargeError(file);
    const reason = error instanceof BoundedReadError ? error.message : (error as Error).message;
    throw new ConfigError(`cannot read config file ${file}: ${reason}`, { file, cause: error });
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (text.trim() === '') return {};
  const value = extension === '.json' ? await parseJson(file, text) : await parseYaml(file, text);
  refuseMagicKeys(file, value, []);
  return value;
}

const MAGIC_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * `__proto__`, `constructor` and `prototype` are no config key of ours, and each is a way to reach
 * an object's prototype in code that merges configs: refused wherever they stand.
 */
function refuseMagicKeys(file: string, value: unknown, path: string[]): void {
  if (typeof value !== 'object' || value === null) return;
  if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) refuseMagicKeys(file, item, [...path, String(index)]);
    return;
  }
  for (const key of Object.keys(value)) {
    if (MAGIC_KEYS.has(key)) {
      const where = [...path, key].join('.');
      throw new ConfigError(`${file}: ${where}: the key "${key}" is not allowed in a config`, {
        file,
        keyPath: where,
        hint: `remove "${key}" from ${file}`,
      });
    }
    refuseMagicKeys(file, (value as Record<string, unknown>)[key], [...path, key]);
  }
}
