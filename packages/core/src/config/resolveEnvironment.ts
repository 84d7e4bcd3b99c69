import { dirname } from 'node:path';
import { ConfigError, UsageError } from '../errors/index.js';
import { ConfigEnv, DEFAULT_ENVIRONMENT, STANDARD_KEYS } from './constants.js';
import { deepMerge, isPlainObject, type PlainObject } from './deepMerge.js';
import { type KeyPath, parseWith } from './formatIssue.js';
import { type InterpolationContext, interpolate, interpolateString } from './interpolate.js';
import { layerSettings, toSettingsLayer } from './mergeSettings.js';
import { environmentSchema, standardSettingsSchema } from './schema.js';
import type { LoadedConfig, ResolvedEnvironment, ResolveEnvironmentOptions, SettingsLayer } from './types.js';

type Origin = 'flag' | 'env' | 'file';

interface Selection {
  name: string;
  /** Unset for the implicit `default`. */
  origin?: Origin;
}

/** --environment > TEMPERED_ENVIRONMENT > defaultEnvironment > `default` when none are defined. */
function selectName(
  loaded: LoadedConfig,
  requested: string | undefined,
  ctx: InterpolationContext,
): Selection {
  if (requested) return { name: requested, origin: 'flag' };
  const fromEnv = ctx.env[ConfigEnv.environment];
  if (fromEnv) return { name: fromEnv, origin: 'env' };
  const configured = loaded.data.defaultEnvironment;
  if (typeof configured === 'string') {
    return { name: interpolateString(configured, ctx, ['defaultEnvironment']), origin: 'file' };
  }
  if (loaded.environments.length === 0) return { name: DEFAULT_ENVIRONMENT };
  throw new UsageError(`no environment selected; known: ${loaded.environments.join(', ')}`, {
    hint: `pass --environment <name>, set ${ConfigEnv.environment}, or set defaultEnvironment in ${loaded.file}`,
  });
}

const UNKNOWN_HINTS: Record<Origin, (file: string | undefined) => string> = {
  flag: () => 'pass one of the known environments to --environment',
  env: () => `set ${ConfigEnv.environment} to one of the known environments, or unset it`,
  file: (file) => `fix defaultEnvironment in ${file}`,
};

/** The standard keys (and the CLI's own section) of one level of the file, placeholders resolved. */
function usedPart(node: PlainObject, cli: string, ctx: InterpolationContext, path: KeyPath): PlainObject {
  const out: PlainObject = {};
  for (const key of [...STANDARD_KEYS, cli]) {
    if (node[key] !== undefined) out[key] = interpolate(node[key], ctx, [...path, key]);
  }
  return out;
}

function hasPath(node: unknown, path: KeyPath): boolean {
  let current = node;
  for (const segment of path) {
    if (!isPlainObject(current) && !Array.isArray(current)) return false;
    current = (current as Record<PropertyKey, unknown>)[segment];
  }
  return current !== undefined;
}

/**
 * Picks the environment, interpolates only what this run uses (top level plus that one
 * environment), validates it, and merges the environment over the top level: settings and the
 * CLI's section alike. Names are safe by construction: only names defined in the file (checked
 * at load) or `default` get past the allowlist.
 */
export function resolveEnvironment<Section = unknown>(
  loaded: LoadedConfig<Section>,
  options: ResolveEnvironmentOptions = {},
): ResolvedEnvironment<Section> {
  const file = loaded.file;
  const ctx: InterpolationContext = { env: options.env ?? process.env, file };
  const { name, origin } = selectName(loaded as LoadedConfig, options.requested, ctx);
  const known = loaded.environments.length > 0 ? loaded.environments : [DEFAULT_ENVIRONMENT];
  if (!known.includes(name)) {
    throw new ConfigError(`unknown environment ${JSON.stringify(name)}; known: ${known.join(', ')}`, {
      file,
      hint: origin ? UNKNOWN_HINTS[origin](file) : undefined,
    });
  }

  const envPath = ['environments', name];
  const envNode = ((loaded.data.environments as PlainObject | undefined)?.[name] ?? {}) as PlainObject;
  const top = usedPart(loaded.data as PlainObject, loaded.cli, ctx, []);
  const own = usedPart(envNode, loaded.cli, ctx, envPath);

  const baseDir = file === undefined ? undefined : dirname(file);
  const topLayer = toSettingsLayer(parseWith(standardSettingsSchema, top, { file }), baseDir, ctx.env);
  const ownLayer = toSettingsLayer(
    parseWith(environmentSchema, own, { file, prefix: envPath }),
    baseDir,
    ctx.env,
  );
  const fileSettings = deepMerge(topLayer, ownLayer) as SettingsLayer;
  // a list of secret names is added to, never replaced: an environment cannot unmask a name
  if (topLayer.secretVars && ownLayer.secretVars) {
    fileSettings.secretVars = [...new Set([...topLayer.secretVars, ...ownLayer.secretVars])];
  }

  const merged = deepMerge(top[loaded.cli], own[loaded.cli]) ?? {};
  // point an error at the level that set the value, or at the environment when it defines the section
  const where = (path: KeyPath): KeyPath =>
    hasPath(own[loaded.cli], path) || (!hasPath(top[loaded.cli], path) && own[loaded.cli] !== undefined)
      ? [...envPath, loaded.cli]
      : [loaded.cli];
  const section = loaded.sectionSchema
    ? parseWith(loaded.sectionSchema, merged, { file, prefix: where })
    : (merged as Section);

  return {
    name,
    protected: envNode.protected === true,
    settings: layerSettings(fileSettings),
    fileSettings,
    section,
  };
}
