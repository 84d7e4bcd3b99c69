import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { UsageError } from '../errors/index.js';
import { atomicWriteFile, BoundedReadError, describeFsError, readBoundedFile } from '../fs/index.js';
import { secrets } from '../log/index.js';
import { formatBytes } from '../util/index.js';
import type { JobPlan } from './types.js';

export const PLAN_FORMAT = 'tempered-plan/1';
/** A plan older than this describes a world nobody has looked at lately: plan again. */
export const PLAN_MAX_AGE_MS = 24 * 60 * 60 * 1000;
const PLAN_MAX_BYTES = 512 * 1024 * 1024;
/** Drift lines listed in the refusal; the rest are counted. */
const LISTED_DRIFT = 20;

/**
 * A dry-run's plan with what it was built from, for `<cli> apply FILE` (terraform's `plan -out`).
 * No secrets: the input holds parsed flags and arguments, the config only as a hash, and the
 * whole text is masked like a log line before it is written.
 */
export interface SavedPlan {
  format: typeof PLAN_FORMAT;
  cli: string;
  command: string;
  version: string;
  environment: string;
  createdAt: string;
  target: string;
  /**
   * The command's own flags and arguments, as parsed, and the directory they were relative to:
   * apply rebuilds its options from them.
   */
  input: { flags: Record<string, unknown>; args: Record<string, unknown>; cwd: string };
  /** The config file the plan was made with (apply reads it again unless --config says otherwise). */
  configFile?: string | undefined;
  /** sha256 of the config file's bytes ('none' without one). */
  configHash: string;
  facts: Record<string, string>;
  plan: JobPlan<unknown>;
}

const savedPlanSchema = z.object({
  format: z.literal(PLAN_FORMAT),
  cli: z.string(),
  command: z.string(),
  version: z.string(),
  environment: z.string(),
  createdAt: z.string(),
  target: z.string(),
  input: z.object({
    flags: z.record(z.string(), z.unknown()),
    args: z.record(z.string(), z.unknown()),
    cwd: z.string(),
  }),
  configFile: z.string().optional(),
  configHash: z.string(),
  facts: z.record(z.string(), z.string()),
  plan: z.object({
    actions: z.array(
      z.object({
        id: z.string(),
        kind: z.enum(['create', 'update', 'delete', 'skip']),
        target: z.string(),
        reason: z.string(),
        details: z.unknown().optional(),
        phase: z.number().int().optional(),
      }),
    ),
    unchanged: z.number().int().nonnegative().optional(),
    warnings: z.array(z.string()),
    policy: z.looseObject({ onError: z.enum(['continue', 'stop']) }),
    info: z.unknown(),
    counts: z.record(z.string(), z.number()).optional(),
  }),
});

export async function configHash(configFile: string | undefined): Promise<string> {
  if (!configFile) return 'none';
  return createHash('sha256')
    .update(await readFile(configFile))
    .digest('hex');
}

export async function writeSavedPlan(path: string, saved: SavedPlan): Promise<void> {
  const text = secrets.redactString(`${JSON.stringify(saved, null, 2)}\n`);
  try {
    await atomicWriteFile(path, text, { mode: 0o600 });
  } catch (error) {
    throw new UsageError(`cannot write the plan file ${JSON.stringify(path)}: ${describeFsError(error)}`, {
      hint: 'pass --plan-out a file in an existing directory you may write',
      cause: error,
    });
  }
}

/** Reads and checks a saved plan: its format, the CLI that made it, and its age. */
export async function readSavedPlan(
  path: string,
  expected: { cli: string; now?: Date; maxAgeMs?: number },
): Promise<SavedPlan> {
  let text: string;
  try {
    text = (await readBoundedFile(path, { maxBytes: PLAN_MAX_BYTES })).toString('utf8');
  } catch (error) {
    const reason = error instanceof BoundedReadError ? error.message : String(error);
    throw new UsageError(`cannot read the plan file ${JSON.stringify(path)}: ${reason}`, {
      hint: `pass a file written by --plan-out (at most ${formatBytes(PLAN_MAX_BYTES)})`,
    });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw notAPlan(path, 'it is not JSON');
  }
  const result = savedPlanSchema.safeParse(parsed);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw notAPlan(path, `${issue?.path.join('.') || 'the file'}: ${issue?.message ?? 'invalid'}`);
  }
  const saved = result.data as SavedPlan;
  if (saved.cli !== expected.cli) {
    throw new UsageError(
      `the plan file ${JSON.stringify(path)} was made by ${saved.cli}, not ${expected.cli}`,
      {
        hint: `apply it with "${saved.cli} apply"`,
      },
    );
  }
  const age = (expected.now ?? new Date()).getTime() - Date.parse(saved.createdAt);
  const maxAge = expected.maxAgeMs ?? PLAN_MAX_AGE_MS;
  if (!(age <= maxAge)) {
    throw new UsageError(
      `the plan file ${JSON.stringify(path)} was made at ${saved.createdAt}, over ${Math.round(maxAge / 3_600_000)} hours ago`,
      { hint: 'make a fresh plan with --dry-run --plan-out, review it, then apply that' },
    );
  }
  return saved;
}

/** What changed between the facts a plan was built from and the facts now, one line each. */
export function diffFacts(saved: Record<string, string>, now: Record<string, string>): string[] {
  const lines: string[] = [];
  for (const [key, value] of Object.entries(saved)) {
    if (!(key in now)) lines.push(`gone: ${key}`);
    else if (now[key] !== value) lines.push(`changed: ${key} (${value} -> ${now[key]})`);
  }
  for (const key of Object.keys(now)) if (!(key in saved)) lines.push(`new: ${key}`);
  return lines;
}

/** The refusal of a plan the world has moved away from: exit 2, what changed in the message. */
export function driftError(path: string, drift: string[]): UsageError {
  const listed = drift.slice(0, LISTED_DRIFT);
  const more = drift.length > LISTED_DRIFT ? `; and ${drift.length - LISTED_DRIFT} more` : '';
  return new UsageError(
    `the world changed since the plan in ${JSON.stringify(path)} was made; nothing was applied: ${listed.join('; ')}${more}`,
    { hint: 'make a fresh plan with --dry-run --plan-out, review it, then apply that' },
  );
}

function notAPlan(path: string, reason: string): UsageError {
  return new UsageError(`${JSON.stringify(path)} is not a saved plan: ${reason}`, {
    hint: 'pass a file written by --dry-run --plan-out',
  });
}
