import { isAbsolute, resolve } from 'node:path';
import { parseDuration, UsageError } from '@tempered/core';
import type { CleanupFlags } from './flags.js';
import {
  type CleanupSection,
  DEFAULT_CONCURRENCY,
  DEFAULT_MAX_DELETE,
  DEFAULT_PAGE_SIZE,
  DEFAULT_TRASH_RETENTION,
  type RuleConfig,
} from './section.js';

/** A rule with its durations in ms and its paths absolute. */
export type ResolvedRule = RuleConfig & {
  olderThanMs: number | undefined;
  trashRetentionMs: number;
  pageSizeResolved: number;
};

export interface CleanupOptions {
  /** The rules this run applies, in config order. */
  rules: ResolvedRule[];
  maxDelete: number;
  concurrency: number;
}

export interface ResolveInput {
  flags: Partial<CleanupFlags>;
  section: CleanupSection;
  /** Directory of the config file (relative paths in it are taken from there), else the cwd. */
  baseDir: string;
  configFile: string | undefined;
}

/** Flags over the config section over the defaults; `--rule` picks rules by name. */
export function resolveCleanupOptions(input: ResolveInput): CleanupOptions {
  const { flags, section, baseDir } = input;
  const all = section.rules ?? [];
  if (all.length === 0) {
    throw new UsageError(
      `no cleanup rules configured${input.configFile ? ` in ${input.configFile}` : ' (no config file found)'}`,
      {
        hint: 'add rules under resource-cleanup.rules, e.g. { name: old-logs, path: /var/log/app, match: ["*.log"], olderThan: 14d }; see the README',
      },
    );
  }
  const wanted = flags.rule ?? [];
  for (const name of wanted) {
    if (!all.some((rule) => rule.name === name)) {
      throw new UsageError(`unknown rule "${name}"; known: ${all.map((rule) => rule.name).join(', ')}`, {
        hint: 'pass --rule with one of the rule names of the config',
      });
    }
  }
  const chosen = wanted.length === 0 ? all : all.filter((rule) => wanted.includes(rule.name));
  return {
    rules: chosen.map((rule) => resolveRule(rule, baseDir)),
    maxDelete: flags['max-delete'] ?? section.maxDelete ?? DEFAULT_MAX_DELETE,
    concurrency: flags.concurrency ?? section.concurrency ?? DEFAULT_CONCURRENCY,
  };
}

function resolveRule(rule: RuleConfig, baseDir: string): ResolvedRule {
  const olderThanMs =
    rule.olderThan === undefined ? undefined : parseDuration(rule.olderThan, `rule "${rule.name}" olderThan`);
  if (rule.provider === 'fs') {
    return {
      ...rule,
      path: absolute(rule.path, baseDir),
      ...(rule.trash === undefined ? {} : { trash: absolute(rule.trash, baseDir) }),
      olderThanMs,
      trashRetentionMs: parseDuration(
        rule.trashRetention ?? DEFAULT_TRASH_RETENTION,
        `rule "${rule.name}" trashRetention`,
      ),
      pageSizeResolved: DEFAULT_PAGE_SIZE,
    };
  }
  return {
    ...rule,
    olderThanMs,
    trashRetentionMs: 0,
    pageSizeResolved: rule.pageSize ?? DEFAULT_PAGE_SIZE,
  };
}

function absolute(path: string, baseDir: string): string {
  return isAbsolute(path) ? path : resolve(baseDir, path);
}

/** The human label of a rule's selection, for the plan header. */
export function describeRule(rule: ResolvedRule): string {
  const parts: string[] = [];
  if (rule.provider === 'fs') {
    parts.push(`match ${rule.match.join(', ')}`);
    if (rule.protect?.length) parts.push(`protect ${rule.protect.join(', ')}`);
  } else {
    parts.push(`repositories ${rule.repositories.join(', ')}`);
    if (rule.tags !== undefined) parts.push(`tags /${rule.tags}/`);
    if (rule.protectTags?.length)
      parts.push(`protectTags ${rule.protectTags.map((tag) => `/${tag}/`).join(', ')}`);
  }
  if (rule.olderThan !== undefined) parts.push(`olderThan ${rule.olderThan}`);
  if (rule.keepLatest !== undefined) parts.push(`keepLatest ${rule.keepLatest}`);
  if (rule.provider === 'fs' && rule.trash) parts.push(`trash ${rule.trash}`);
  return parts.join('; ');
}
