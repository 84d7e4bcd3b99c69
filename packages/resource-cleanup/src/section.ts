import { byteSizeSchema, parseDuration } from '@tempered/core';
import { z } from 'zod';

// interpolation yields strings: `maxDelete: ${MAX_DELETE}` must still parse
const fromString = (value: unknown) =>
  typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
const count = (min: number, max?: number) => {
  const base = z.int().min(min);
  return z.preprocess(fromString, max === undefined ? base : base.max(max));
};

/** `14d`, `12h`, `30m`: kept as written (for the plan) and checked here. */
const duration = z.union([z.string(), z.number()]).check((ctx) => {
  try {
    parseDuration(ctx.value);
  } catch {
    ctx.issues.push({
      code: 'custom',
      input: ctx.value,
      message: `a duration like 12h, 7d or 2w, got ${JSON.stringify(ctx.value)}`,
    });
  }
});

const regex = z.string().check((ctx) => {
  try {
    new RegExp(ctx.value);
  } catch (error) {
    ctx.issues.push({
      code: 'custom',
      input: ctx.value,
      message: `a regular expression (${(error as Error).message})`,
    });
  }
});

/** Bytes: a whole number, or with a binary unit: `512KiB`, `8MiB`, `1GiB`. */
const byteSize = byteSizeSchema({ min: 1024, max: 1024 ** 3 });

/** The origin of a token server, e.g. https://auth.example.com (no path: the whole origin is trusted). */
const origin = z.url({ protocol: /^https?$/ }).check((ctx) => {
  const url = new URL(ctx.value);
  if (url.pathname !== '/' || url.search !== '' || url.hash !== '' || url.username !== '') {
    ctx.issues.push({
      code: 'custom',
      input: ctx.value,
      message: `an origin like https://auth.example.com (no path), got ${JSON.stringify(ctx.value)}`,
    });
  }
});

const glob = z.string().min(1, { error: 'a non-empty glob' });
const ruleName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/);

const common = {
  /** Names the rule in the plan, the journal, the audit log and `--rule`. */
  name: ruleName,
  /** Only resources at least this old are deleted (fs: mtime; registry: the image config's `created`). */
  olderThan: duration.optional(),
  /** The N newest selected resources are kept (fs: per glob of `match`; registry: per repository). */
  keepLatest: count(0).optional(),
};

export const fsRuleSchema = z.strictObject({
  ...common,
  provider: z.literal('fs').optional(),
  /** The directory to clean (relative: to the config file's directory); never deleted itself. */
  path: z.string().min(1, { error: 'a non-empty path' }),
  /** Globs of candidates, relative to `path`; a trailing `/` matches directories only. */
  match: z.array(glob).min(1),
  /** Globs never deleted, nor anything under a directory they match. */
  protect: z.array(glob).optional(),
  /** Move candidates into this directory instead of deleting them. */
  trash: z.string().min(1).optional(),
  /** How long moved entries stay in `trash` before a later run purges them (default 7d). */
  trashRetention: duration.optional(),
});

export const registryAuthSchema = z.union([
  z.strictObject({ username: z.string().min(1), password: z.string() }),
  z.strictObject({ token: z.string().min(1) }),
]);

export const registryRuleSchema = z.strictObject({
  ...common,
  provider: z.literal('registry'),
  /** The registry's base URL, e.g. https://registry.example.com. */
  url: z.url({ protocol: /^https?$/ }),
  /** Repository names or globs (`app/*`); globs need the registry's catalog API. */
  repositories: z.array(glob).min(1),
  /** Regex of candidate tags (default: every tag). */
  tags: regex.optional(),
  /** Regexes of tags never deleted; a digest any of them points at is never deleted either. */
  protectTags: z.array(regex).optional(),
  auth: registryAuthSchema.optional(),
  /** Entries asked for per page of the catalog and of tag lists (default 100). */
  pageSize: count(1, 10_000).optional(),
  /** Token servers (origins) the credentials may be sent to; default: the registry's own host over https. */
  tokenRealms: z.array(origin).optional(),
  /** Pages one catalog or tag-list listing may take (default 1000). */
  maxPages: count(1, 1_000_000).optional(),
  /** Bytes one catalog or tag-list page may have (default 8MiB). */
  maxPageBytes: byteSize.optional(),
  /** Bytes one manifest, index or image config may have (default 4MiB). */
  maxManifestBytes: byteSize.optional(),
});

export const ruleSchema = z.discriminatedUnion('provider', [
  fsRuleSchema.extend({ provider: z.literal('fs') }),
  registryRuleSchema,
]);

/** A rule as written: `provider` may be left out and then means `fs`, the embedded default. */
const ruleInput = z.preprocess(
  (value) =>
    value !== null && typeof value === 'object' && !Array.isArray(value) && !('provider' in value)
      ? { ...value, provider: 'fs' }
      : value,
  ruleSchema,
);

/**
 * The `resource-cleanup` section of the config, at the top level and per environment
 * (`environments.ci.resource-cleanup`); the environment's keys win, and its `rules` list
 * replaces the top-level one.
 */
export const cleanupSection = z
  .strictObject({
    /** Most deletions in one run, over every rule; over it nothing is deleted (exit 3). */
    maxDelete: count(0).optional(),
    /** Deletions (and registry requests) in flight at once. */
    concurrency: count(1, 256).optional(),
    rules: z.array(ruleInput).optional(),
  })
  .check((ctx) => {
    const seen = new Set<string>();
    for (const [index, rule] of (ctx.value.rules ?? []).entries()) {
      if (seen.has(rule.name)) {
        ctx.issues.push({
          code: 'custom',
          input: rule.name,
          path: ['rules', index, 'name'],
          message: `a rule name not used before, got ${JSON.stringify(rule.name)} twice`,
        });
      }
      seen.add(rule.name);
    }
  });

export type CleanupSection = z.infer<typeof cleanupSection>;
export type RuleConfig = z.infer<typeof ruleSchema>;
export type FsRuleConfig = Extract<RuleConfig, { provider: 'fs' }>;
export type RegistryRuleConfig = Extract<RuleConfig, { provider: 'registry' }>;
export type RegistryAuth = z.infer<typeof registryAuthSchema>;

export const DEFAULT_MAX_DELETE = 100;
export const DEFAULT_CONCURRENCY = 8;
export const DEFAULT_TRASH_RETENTION = '7d';
export const DEFAULT_PAGE_SIZE = 100;
