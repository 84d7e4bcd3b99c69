import { homedir } from 'node:os';
import { isAbsolute, resolve } from 'node:path';
import { byteSizeSchema, deepMerge, durationSchema, parseDuration, UsageError } from '@tempered/core';
import { z } from 'zod';
import { type ArtifactLimits, DEFAULT_ARTIFACT_LIMITS } from './artifact/limits.js';
import {
  fillHostTemplate,
  parseHostSpec,
  type SshEndpoint,
  type SshSettings,
} from './target/ssh/sshConfig.js';

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

const absolutePath = z
  .string()
  .min(1)
  .refine((value) => value.startsWith('/') && !value.includes('\0') && !value.split('/').includes('..'), {
    error: 'an absolute path without "..", e.g. /srv/app',
  });

/** A host of an SSH target, as an object: what a `user@host:port` string says, and more. */
const sshHost = z.strictObject({
  host: z.string().min(1),
  name: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/)
    .optional(),
  user: z.string().min(1).optional(),
  port: z
    .preprocess(
      (value) => (typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value),
      z.int().min(1).max(65_535),
    )
    .optional(),
  path: absolutePath.optional(),
  labels: z.array(z.string().min(1)).optional(),
});

const hook = z.union([
  z.string().min(1),
  z.strictObject({ run: z.string().min(1), timeout: durationSchema.optional() }),
]);

/** The `deploy` section of the config, top level deep-merged with the environment's. */
export const deploySection = z.strictObject({
  /** Where releases go: a directory on this machine (`local`, the default) or hosts over SSH. */
  target: z
    .union([
      z.strictObject({
        type: z.literal('local').optional(),
        path: z.string().min(1),
      }),
      z.strictObject({
        type: z.literal('ssh'),
        /** The base directory on every host (a host entry may name its own). */
        path: absolutePath.optional(),
        hosts: z.array(z.union([z.string().min(1), sshHost])).min(1),
        ssh: z
          .strictObject({
            /** An ssh_config file instead of ~/.ssh/config. */
            config: z.string().min(1).optional(),
            identityFile: z.string().min(1).optional(),
            knownHosts: z.string().min(1).optional(),
            connectTimeout: durationSchema.optional(),
            keepalive: durationSchema.optional(),
            maxStartups: positiveInt.optional(),
            lockTtl: durationSchema.optional(),
          })
          .optional(),
      }),
    ])
    .optional(),
  /** How a fleet is released: all at once (capped), in batches, or a canary first. */
  rollout: z
    .strictObject({
      strategy: z.enum(['parallel', 'rolling', 'canary']).optional(),
      /** Hosts worked on at once (parallel, and after the canary). */
      concurrency: positiveInt.optional(),
      /** rolling: hosts per batch, a number or a percentage (`25%`). */
      batch: z.union([positiveInt, z.string().regex(/^\d{1,3}%$/)]).optional(),
      /** canary: a host's name, or `label:<label>` for every host with that label. */
      canary: z.string().min(1).optional(),
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

export type TargetConfig =
  | { type: 'local'; path: string }
  | { type: 'ssh'; hosts: SshEndpoint[]; ssh: SshSettings };

export interface RolloutConfig {
  strategy: 'parallel' | 'rolling' | 'canary';
  /** Hosts worked on at once: the batch of a rolling release, else the concurrency cap. */
  concurrency: number;
  /** rolling: hosts per batch, or a share of the hosts (`25%`). */
  batch: number | string;
  /** canary: a host name or `label:<label>`; default the first host. */
  canary: string | undefined;
}

/** The section with every default applied and every duration in milliseconds. */
export interface DeployConfig {
  target: TargetConfig;
  rollout: RolloutConfig;
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
  /** Hosts worked on at once. */
  concurrency: 10,
  connectTimeoutMs: 10_000,
  keepaliveMs: 15_000,
  /** Handshakes in flight at once: sshd's default MaxStartups begins refusing at 10. */
  maxStartups: 8,
  /** A host lock not renewed for this long is stale (its controller died). */
  lockTtlMs: 60_000,
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
    target: resolveTarget(section.target, base, hc?.url),
    rollout: {
      strategy: section.rollout?.strategy ?? 'parallel',
      concurrency: section.rollout?.concurrency ?? DEPLOY_DEFAULTS.concurrency,
      batch: section.rollout?.batch ?? 1,
      canary: section.rollout?.canary,
    },
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

type TargetSection = NonNullable<DeploySection['target']>;

function resolveTarget(target: TargetSection, base: string, healthUrl: string | undefined): TargetConfig {
  if (target.type !== 'ssh') return { type: 'local', path: resolve(base, target.path) };
  const names = new Set<string>();
  const hosts = target.hosts.map((entry, index): SshEndpoint => {
    const spec =
      typeof entry === 'string' ? parseHostSpec(entry) : { ...parseHostSpec(entry.host), ...entry };
    const name = (typeof entry === 'string' ? undefined : entry.name) ?? spec.host;
    const path = (typeof entry === 'string' ? undefined : entry.path) ?? target.path;
    if (path === undefined) {
      throw new UsageError(`deploy.target.hosts[${index}] (${name}) has no path`, {
        hint: "set deploy.target.path (the base directory on every host) or the host's own path",
      });
    }
    if (names.has(name)) {
      throw new UsageError(`deploy.target.hosts names ${name} twice`, {
        hint: 'give each host a distinct name: { host: ..., name: web1 }',
      });
    }
    names.add(name);
    const endpoint: SshEndpoint = {
      name,
      host: spec.host,
      ...(spec.user ? { user: spec.user } : {}),
      ...(spec.port ? { port: spec.port } : {}),
      path: path.replace(/\/+$/, '') || '/',
      labels: (typeof entry === 'string' ? undefined : entry.labels) ?? [],
    };
    return healthUrl ? { ...endpoint, healthUrl: fillHostTemplate(healthUrl, endpoint) } : endpoint;
  });
  const ssh = target.ssh ?? {};
  const file = (value: string | undefined) =>
    value === undefined ? undefined : resolve(base, value.replace(/^~(?=\/)/, homedir()));
  return {
    type: 'ssh',
    hosts,
    ssh: {
      configFile: file(ssh.config),
      identityFile: file(ssh.identityFile),
      knownHostsFile: file(ssh.knownHosts),
      connectTimeoutMs:
        ssh.connectTimeout === undefined
          ? DEPLOY_DEFAULTS.connectTimeoutMs
          : parseDuration(ssh.connectTimeout, 'deploy.target.ssh.connectTimeout'),
      keepaliveMs:
        ssh.keepalive === undefined
          ? DEPLOY_DEFAULTS.keepaliveMs
          : parseDuration(ssh.keepalive, 'deploy.target.ssh.keepalive'),
      maxStartups: ssh.maxStartups ?? DEPLOY_DEFAULTS.maxStartups,
      lockTtlMs:
        ssh.lockTtl === undefined
          ? DEPLOY_DEFAULTS.lockTtlMs
          : Math.max(3_000, parseDuration(ssh.lockTtl, 'deploy.target.ssh.lockTtl')),
    },
  };
}
