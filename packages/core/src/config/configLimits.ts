import { ConfigError } from '../errors/index.js';
import { formatBytes } from '../util/bytes.js';
import { CONFIG_LIMITS } from './constants.js';

/**
 * The refusals of a config file that is too big, too deep or expands too far. One line each,
 * naming the file and the limit: the parsers' own failure here would be a stack overflow.
 */
export function configLimitError(file: string, what: string): ConfigError {
  return new ConfigError(`${file}: ${what}`, {
    file,
    hint: `a Tempered config is a few KB of settings; check that ${file} is the file you meant`,
  });
}

export function tooLargeError(file: string): ConfigError {
  return configLimitError(
    file,
    `config file is larger than the ${formatBytes(CONFIG_LIMITS.maxBytes)} limit`,
  );
}

export function tooDeepError(file: string, line?: number): ConfigError {
  const where = line === undefined ? file : `${file}:${line}`;
  return new ConfigError(`${where}: nested deeper than the limit of ${CONFIG_LIMITS.maxDepth} levels`, {
    file,
    hint: `a Tempered config is a few levels deep; check that ${file} is the file you meant`,
  });
}

/**
 * The offset of the first `{` or `[` that opens level maxDepth + 1 of a JSON text, found by a
 * scan that follows strings and nothing else: it runs BEFORE JSON.parse, so neither the parser
 * nor any recursive walk after it ever meets a document deeper than the limit. Works on any
 * text; a broken one is the parser's to report.
 */
export function findJsonTooDeep(text: string, maxDepth = CONFIG_LIMITS.maxDepth): number | undefined {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const char = text.charCodeAt(i);
    if (char === 0x22 /* " */) {
      i++;
      while (i < text.length && text.charCodeAt(i) !== 0x22) i += text.charCodeAt(i) === 0x5c ? 2 : 1;
    } else if (char === 0x7b /* { */ || char === 0x5b /* [ */) {
      if (++depth > maxDepth) return i;
    } else if (char === 0x7d /* } */ || char === 0x5d /* ] */) {
      depth--;
    }
  }
  return undefined;
}

/**
 * Walks a parsed config as the run will, YAML aliases expanded (an aliased node is walked each
 * time it is used), without recursion, and stops at the first limit passed: too deep, or more
 * values or string characters than a config could need. Returns the refusal, or undefined.
 */
export function checkExpandedSize(file: string, value: unknown): ConfigError | undefined {
  const stack: [unknown, number][] = [[value, 1]];
  let values = 0;
  let chars = 0;
  while (stack.length > 0) {
    const [node, depth] = stack.pop() as [unknown, number];
    values++;
    if (typeof node === 'string') chars += node.length;
    if (values > CONFIG_LIMITS.maxExpandedValues || chars > CONFIG_LIMITS.maxExpandedChars) {
      return configLimitError(
        file,
        `expands to more than the limit of ${CONFIG_LIMITS.maxExpandedValues} values or ${formatBytes(CONFIG_LIMITS.maxExpandedChars)} of text (YAML aliases)`,
      );
    }
    if (typeof node !== 'object' || node === null) continue;
    if (depth > CONFIG_LIMITS.maxDepth) return tooDeepError(file);
    const children = node instanceof Map ? [...node.keys(), ...node.values()] : Object.entries(node).flat();
    for (const child of children) stack.push([child, depth + 1]);
  }
  return undefined;
}
