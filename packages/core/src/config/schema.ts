import { z } from 'zod';
import { LOG_LEVEL_NAMES } from '../log/constants.js';
import { parseBytes } from '../util/bytes.js';
import { parseDuration } from '../util/duration.js';
import { ENVIRONMENT_NAME_PATTERN, STATE_BACKENDS, STATE_LIMITS } from './constants.js';
import { isPostgresUrl, registerStateUrlSecrets } from './stateUrl.js';

/*
 * Custom messages in these schemas (and in the section schemas CLIs pass) are read as the
 * "expected ..." part of `<file>: <key>: expected <what>, got <value>`: phrase them as a noun,
 * e.g. `refine(isAbsolute, 'an absolute path')`.
 */

// a config is parsed once per run: zod's JIT would compile a parser per object schema with
// new Function at every start (outside the launcher's code cache) to save microseconds later
z.config({ jitless: true });

const DURATION = /^\d+(\.\d+)?(ms|s|m|h|d|w)?$/;

function isDuration(value: unknown): value is string | number {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0;
  return typeof value === 'string' && DURATION.test(value.trim());
}

export function isHttpUrl(value: string): boolean {
  if (!URL.canParse(value)) return false;
  const { protocol } = new URL(value);
  return protocol === 'http:' || protocol === 'https:';
}

/** `30s`, `5m`, `250ms`, or a number of milliseconds (parsed later by parseDuration). */
export const durationSchema = z.custom<string | number>(isDuration, {
  error: 'a duration like 30s, 5m or 2h, or a number of milliseconds',
});

/**
 * Bytes: a whole number, or with a binary unit (`512KiB`, `64MiB`, `4GiB`), within the setting's
 * bounds (parsed by parseBytes).
 */
export function byteSizeSchema(bounds: { min?: number; max?: number } = {}) {
  return z.preprocess(
    (value) => {
      if (typeof value !== 'string') return value;
      return parseBytes(value) ?? value;
    },
    z
      .int({ error: 'a size in bytes, or with a unit: 512KiB, 64MiB, 4GiB' })
      .min(bounds.min ?? 0)
      .max(bounds.max ?? Number.MAX_SAFE_INTEGER),
  );
}

export const environmentNameSchema = z
  .string()
  .regex(ENVIRONMENT_NAME_PATTERN, { error: 'a name of letters, digits, ".", "_" and "-"' });

// interpolation yields strings, so `maxAttempts: ${RETRIES}` must still be accepted as a number
const positiveInt = z.preprocess(
  (value) => (typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value),
  z.int().min(1),
);

const nonEmptyString = z.string().min(1);

/** Names of environment variables whose values are secrets, besides those the name rule marks. */
const secretVarsSchema = z.array(
  z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { error: 'an environment variable name' }),
);

const retrySchema = z.strictObject({
  maxAttempts: positiveInt.optional(),
  baseDelay: durationSchema.optional(),
  maxDelay: durationSchema.optional(),
  attemptTimeout: durationSchema.optional(),
  deadline: durationSchema.optional(),
});

/**
 * `state:` picks the state backend. The URL's password is registered before the URL is
 * validated, so even the error about a mistyped URL cannot print it.
 */
export const stateSchema = z.strictObject({
  backend: z.enum(STATE_BACKENDS).optional(),
  url: z
    .preprocess(
      (value) => {
        registerStateUrlSecrets(value);
        return value;
      },
      z.string().refine(isPostgresUrl, { error: 'a postgres:// or postgresql:// URL' }),
    )
    .optional(),
  schema: z
    .string()
    .regex(STATE_LIMITS.schemaPattern, {
      error: 'a lower-case SQL identifier of letters, digits and "_" (at most 63)',
    })
    .optional(),
  leaseTtl: durationSchema
    .refine((value) => !isDuration(value) || parseDuration(value) >= STATE_LIMITS.minLeaseTtlMs, {
      error: 'a duration of at least 1s',
    })
    .optional(),
});

/** The standard settings as written in a file; loose because CLI sections sit beside them. */
export const standardSettingsSchema = z.looseObject({
  logLevel: z.enum(LOG_LEVEL_NAMES as [string, ...string[]]).optional(),
  logFile: nonEmptyString.optional(),
  stateDir: nonEmptyString.optional(),
  lockWait: durationSchema.optional(),
  metricsFile: nonEmptyString.optional(),
  metricsDir: nonEmptyString.optional(),
  ping: z.string().refine(isHttpUrl, { error: 'an http(s) URL' }).optional(),
  retry: retrySchema.optional(),
  secretVars: secretVarsSchema.optional(),
  state: stateSchema.optional(),
});

export const environmentSchema = standardSettingsSchema.extend({
  protected: z.boolean().optional(),
});

/**
 * The top level of every Tempered config file. Other CLIs' sections pass through untouched;
 * the running CLI validates its own section with the schema it hands to loadConfigFile.
 */
export const baseConfigSchema = standardSettingsSchema.extend({
  defaultEnvironment: environmentNameSchema.optional(),
  environments: z.record(environmentNameSchema, environmentSchema).optional(),
});

export type BaseConfig = z.infer<typeof baseConfigSchema>;
export type StandardSettingsInput = z.infer<typeof standardSettingsSchema>;
