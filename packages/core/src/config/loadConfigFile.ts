import type { z } from 'zod';
import { checkStructure } from './checkStructure.js';
import { isPlainObject } from './deepMerge.js';
import { findConfigFile } from './findConfigFile.js';
import { parseWith } from './formatIssue.js';
import { hasPlaceholder } from './interpolate.js';
import { readConfigFile } from './readConfigFile.js';
import { baseConfigSchema } from './schema.js';
import type { LoadConfigFileOptions, LoadedConfig } from './types.js';

/** Drops strings that still hold placeholders: their values are checked once the variables are known. */
function withoutPlaceholders(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutPlaceholders);
  if (!isPlainObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value)) {
    if (!hasPlaceholder(child)) out[key] = withoutPlaceholders(child);
  }
  return out;
}

/**
 * Finds, reads and checks the config file. Placeholders stay unresolved here: only the
 * environment a run selects is interpolated (by resolveEnvironment), so a staging host needs
 * no prod-only variables or `_FILE` secrets. Every literal value is validated now, for every
 * environment, so a typo in prod fails the staging run too rather than waiting for prod's.
 */
export async function loadConfigFile<S extends z.ZodType = z.ZodType<unknown>>(
  options: LoadConfigFileOptions<S>,
): Promise<LoadedConfig<z.output<S>>> {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const sectionSchema = options.sectionSchema as z.ZodType<z.output<S>> | undefined;
  const found = await findConfigFile({ path: options.path, env, cwd });
  if (found.path === undefined) {
    return { cli: options.cli, file: undefined, source: 'none', data: {}, environments: [], sectionSchema };
  }
  const file = found.path;
  const { data, environments } = checkStructure(await readConfigFile(file), file, options.cli);
  parseWith(baseConfigSchema, withoutPlaceholders(data), { file });
  return { cli: options.cli, file, source: found.source, data, environments, sectionSchema };
}

/** The name the command layer uses; the same function as loadConfigFile. */
export const loadConfig = loadConfigFile;
