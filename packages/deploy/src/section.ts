import { isAbsolute, resolve } from 'node:path';
import { byteSizeSchema, deepMerge, durationSchema, parseDuration, UsageError } from '@tempered/core';
import { z } from 'zod';
import { type ArtifactLimits, DEFAULT_ARTIFACT_LIMITS } from './artifact/limits.js';

// interpolation yields strings, so `keepReleases: ${KEEP}` must still be accepted as a number
const positiveInt = z.preprocess(
  (value) => (typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value),
  z.int().min(1),
);

const httpStatus = z.preprocess(
  (value) => (typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value),
  z.int().min(100).max(599),
);

/** Bytes: a whole number, or with a binary unit: `64MiB`, `4GiB`. */
const byteSize = byteSizeSchema();

const httpUrl = z
  .string()
  .refine((value) => URL.canParse(value) && ['http:', 'https:'].includes(new URL(value).protocol), {
    error: 'an http(s) URL',
  });

/** A path under `shared/`: relative, no `..`, no empty segments. */
const sharedPath = z
  .string()
  .min(1)
  .refine(
    (value) =>
      !isAbsolute(value) &&
      !value.includes('\0') &&
      value
        .replace(/\/$/, '')
        .split('/')
        .every((segment) => segment !== '' && segment !== '.' && segment !== '..'),
    { error: 'a relative path without "..", e.g. logs or config/.env' },
  );

const hook = z.union([
  z.string().min(1),
  z.strictObject({ run: z.string().min(1), timeout: durationSchema.optional() }),
]);

/** The `deploy` section of the config, top level deep-merged with the environment's. */
export const deploySection = z.strictObject({
  /** Where releases go. `type` is `local` (the only kind so far); an SSH target comes later. */
  target: z
    .strictObject({
      type: z.literal('local').optional(),
      path: z.string().min(1),
    })
    .optional(),
  keepReleases: positiveInt.optional(),
  /** Keep setuid, setgid and sticky bits of the artifact's entries (default: stripped). */
  keepSpecialBits: z.boolean().optional(),
  /** What one artifact may unpack to, and the free space a deploy leaves on the target. */
  artifactLimits: z
    .strictObject({
      maxBytes: byteSize.optional(),
      maxEntries: positiveInt.optional(),
      maxRatio: positiveInt.optional(),
      minFreeSpace: byteSize.optional(),
    })
    .optional(),
  shared: z.array(sharedPath).optional(),
  hooks: z
    .strictObject({
      beforeSwitch: z.array(hook).optional(),
      afterSwitch: z.array(hook).optional(),
    })
    .optional(),
  /** Default timeout of one hook. */
  hookTimeout: durationSchema.optional(),
  healthcheck: z
    .strictObject({
      url: httpUrl,
      timeout: durationSchema.optional(),
      interval: durationSchema.optional(),
      expectStatus: httpStatus.optional(),
    })
    .optional(),
});

export type DeploySection = z.infer<typeof deploySection>;

export interface HookConfig {
  run: string;
  timeoutMs: number;
}

export interface HealthcheckConfig {
  url: string;
  timeoutMs: number;
  intervalMs: number;
  expectStatus: number;
}

/** The section with every default applied and every duration in milliseconds. */
export interface DeployConfig {
  target: { type: 'local'; path: string };
  keepReleases: number;
  /** False (the default): setuid, setgid and sticky bits never come from an artifact. */
  keepSpecialBits: boolean;
  artifactLimits: ArtifactLimits;
  shared: string[];
  hooks: { beforeSwitch: HookConfig[]; afterSwitch: HookConfig[] };
  healthcheck: HealthcheckConfig | undefined;
}

export const DEPLOY_DEFAULTS = {
  keepReleases: 5,
  hookTimeoutMs: 5 * 60_000,
  healthTimeoutMs: 30_000,
  healthIntervalMs: 1_000,
  expectStatus: 200,
} as const;

/** Health checks poll at least this far apart: a zero interval would hammer the app while it boots. */
const MIN_INTERVAL_MS = 50;

/**
 * Applies defaults and resolves the target path: relative to the config file's directory (as
 * core does for its own paths), else to the working directory.
 */
export function resolveDeployConfig(
  raw: unknown,
  options: { environment: string; configFile: string | undefined; cwd?: string },
): DeployConfig {
  const section = deploySection.parse(raw ?? {});
  if (!section.target) {
    throw new UsageError(`no deploy target for environment "${options.environment}"`, {
      hint: `set deploy.target.path in the config (top level or under environments.${options.environment}), e.g. deploy: { target: { path: /srv/app } }`,
    });
  }
  const base = options.configFile ? resolve(options.configFile, '..') : (options.cwd ?? process.cwd());
  const hookTimeoutMs =
    section.hookTimeout === undefined
      ? DEPLOY_DEFAULTS.hookTimeoutMs
      : parseDuration(section.hookTimeout, 'deploy.hookTimeout');
  const hooks = (list: z.infer<typeof hook>[] | undefined, phase: string): HookConfig[] =>
    (list ?? []).map((entry, index) =>
      typeof entry === 'string'
        ? { run: entry, timeoutMs: hookTimeoutMs }
        : {
            run: entry.run,
            timeoutMs:
              entry.timeout === undefined
                ? hookTimeoutMs
                : parseDuration(entry.timeout, `deploy.hooks.${phase}[${index}].timeout`),
          },
    );
  const hc = section.healthcheck;
  return {
    target: { type: 'local', path: resolve(base, section.target.path) },
    keepReleases: section.keepReleases ?? DEPLOY_DEFAULTS.keepReleases,
    keepSpecialBits: section.keepSpecialBits ?? false,
    // a key left undefined keeps its default
    artifactLimits: deepMerge(DEFAULT_ARTIFACT_LIMITS, section.artifactLimits) as ArtifactLimits,
    shared: [...new Set(section.shared ?? [])],
    hooks: {
      beforeSwitch: hooks(section.hooks?.beforeSwitch, 'beforeSwitch'),
      afterSwitch: hooks(section.hooks?.afterSwitch, 'afterSwitch'),
    },
    healthcheck: hc
      ? {
          url: hc.url,
          timeoutMs:
            hc.timeout === undefined
              ? DEPLOY_DEFAULTS.healthTimeoutMs
              : parseDuration(hc.timeout, 'deploy.healthcheck.timeout'),
          intervalMs: Math.max(
            MIN_INTERVAL_MS,
            hc.interval === undefined
              ? DEPLOY_DEFAULTS.healthIntervalMs
              : parseDuration(hc.interval, 'deploy.healthcheck.interval'),
          ),
          expectStatus: hc.expectStatus ?? DEPLOY_DEFAULTS.expectStatus,
        }
      : undefined,
  };
}
