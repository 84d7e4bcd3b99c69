import { isAbsolute, resolve } from 'node:path';
import { ConfigError, UsageError } from '../errors/index.js';
import { secrets } from '../log/redact.js';
import { parseDuration } from '../util/duration.js';
import { ConfigEnv, DEFAULT_SETTINGS, PATH_SETTINGS } from './constants.js';
import { expandHome } from './findConfigFile.js';
import { parseWith } from './formatIssue.js';
import { isSecretVariable } from './interpolate.js';
import { type StandardSettingsInput, standardSettingsSchema, stateSchema } from './schema.js';
import type {
  MergeSettingsInput,
  RetrySettings,
  SettingsFlags,
  SettingsLayer,
  StandardSettings,
  StateSettings,
} from './types.js';

const RETRY_DURATIONS = [
  ['baseDelay', 'baseDelayMs'],
  ['maxDelay', 'maxDelayMs'],
  ['attemptTimeout', 'attemptTimeoutMs'],
  ['deadline', 'deadlineMs'],
] as const;

/**
 * Turns validated standard settings into a layer: durations to ms, and paths from a config file
 * made absolute against the file's directory, so a cron job's working directory cannot move them.
 */
export function toSettingsLayer(
  input: StandardSettingsInput,
  baseDir?: string,
  env: NodeJS.ProcessEnv = process.env,
): SettingsLayer {
  const layer: SettingsLayer = {};
  if (input.logLevel !== undefined) layer.logLevel = input.logLevel as StandardSettings['logLevel'];
  for (const key of PATH_SETTINGS) {
    const path = input[key];
    if (path === undefined) continue;
    const expanded = expandHome(path, env);
    layer[key] = baseDir && !isAbsolute(expanded) ? resolve(baseDir, expanded) : expanded;
  }
  if (input.lockWait !== undefined) layer.lockWaitMs = parseDuration(input.lockWait, 'lockWait');
  if (input.ping !== undefined) layer.ping = input.ping;
  if (input.secretVars !== undefined) layer.secretVars = [...input.secretVars];
  if (input.retry !== undefined) {
    const retry: RetrySettings = {};
    if (input.retry.maxAttempts !== undefined) retry.maxAttempts = input.retry.maxAttempts;
    for (const [from, to] of RETRY_DURATIONS) {
      const value = input.retry[from];
      if (value !== undefined) retry[to] = parseDuration(value, `retry.${from}`);
    }
    layer.retry = retry;
  }
  if (input.state !== undefined) layer.state = toStateSettings(input.state);
  return layer;
}

function toStateSettings(input: NonNullable<StandardSettingsInput['state']>): StateSettings {
  const state: StateSettings = {};
  if (input.backend !== undefined) state.backend = input.backend;
  if (input.url !== undefined) state.url = input.url;
  if (input.schema !== undefined) state.schema = input.schema;
  if (input.leaseTtl !== undefined) state.leaseTtlMs = parseDuration(input.leaseTtl, 'state.leaseTtl');
  return state;
}

/** Settings that are mappings merge field by field: an environment's `state: {schema}` keeps the top-level url. */
const MERGED_FIELD_BY_FIELD: ReadonlySet<string> = new Set(['retry', 'state']);

/** Later layers win, key by key; `undefined` never overrides, and retry and state merge field by field. */
export function layerSettings(...layers: (SettingsLayer | undefined)[]): StandardSettings {
  const out: StandardSettings = { ...DEFAULT_SETTINGS, retry: { ...DEFAULT_SETTINGS.retry } };
  for (const layer of layers) {
    if (!layer) continue;
    for (const [key, value] of Object.entries(layer)) {
      if (value === undefined) continue;
      if (MERGED_FIELD_BY_FIELD.has(key)) {
        const merged: Record<string, unknown> = { ...(out as unknown as Record<string, object>)[key] };
        for (const [field, fieldValue] of Object.entries(value as object)) {
          if (fieldValue !== undefined) merged[field] = fieldValue;
        }
        (out as unknown as Record<string, unknown>)[key] = merged;
      } else {
        (out as unknown as Record<string, unknown>)[key] = value;
      }
    }
  }
  return out;
}

const SETTING_SOURCES = [
  ['logLevel', ConfigEnv.logLevel, '--log-level'],
  ['logFile', ConfigEnv.logFile, '--log-file'],
  ['stateDir', ConfigEnv.stateDir, '--state-dir'],
  ['lockWait', ConfigEnv.lockWait, '--lock-wait'],
  ['metricsFile', ConfigEnv.metricsFile, '--metrics-file'],
  ['metricsDir', ConfigEnv.metricsDir, '--metrics-dir'],
  ['ping', ConfigEnv.ping, '--ping'],
] as const;

/** Only the known settings are read, so a stray key in `flags` can neither crash nor sneak in. */
function validated(
  raw: Partial<Record<keyof SettingsFlags, unknown>>,
  labels: Record<string, string>,
  env?: NodeJS.ProcessEnv,
): SettingsLayer {
  const input: Record<string, unknown> = {};
  for (const [key] of SETTING_SOURCES) {
    if (raw[key] === undefined) continue;
    input[key] = parseWith(standardSettingsSchema.shape[key], raw[key], { label: labels[key] });
  }
  return toSettingsLayer(input as StandardSettingsInput, undefined, env);
}

const STATE_VARIABLES = [
  ['backend', ConfigEnv.stateBackend],
  ['url', ConfigEnv.stateUrl],
  ['schema', ConfigEnv.stateSchema],
] as const;

/** The TEMPERED_* settings variables; empty ones count as unset, as a crontab `VAR=` line means. */
export function settingsFromEnv(env: NodeJS.ProcessEnv): SettingsLayer {
  const raw: Record<string, string> = {};
  const labels: Record<string, string> = {};
  for (const [key, variable] of SETTING_SOURCES) {
    const value = env[variable];
    if (value === undefined || value === '') continue;
    if (isSecretVariable(variable, env)) secrets.addSecret(value);
    raw[key] = value;
    labels[key] = variable;
  }
  const layer = validated(raw, labels, env);
  const state: Record<string, unknown> = {};
  for (const [field, variable] of STATE_VARIABLES) {
    const value = env[variable];
    if (value === undefined || value === '') continue;
    state[field] = parseWith(stateSchema.shape[field], value, { label: variable });
  }
  if (Object.keys(state).length > 0) layer.state = toStateSettings(state);
  return layer;
}

/** Flag values, checked the same way; a bad one is a usage error naming the flag. */
export function settingsFromFlags(flags: SettingsFlags): SettingsLayer {
  const labels: Record<string, string> = {};
  for (const [key, , flag] of SETTING_SOURCES) labels[key] = flag;
  try {
    const layer = validated(flags, labels);
    if (flags.stateUrl !== undefined) {
      const url = parseWith(stateSchema.shape.url, flags.stateUrl, { label: '--state-url' });
      layer.state = { backend: 'postgres', url };
    }
    return layer;
  } catch (error) {
    if (error instanceof ConfigError) throw new UsageError(error.message, { cause: error });
    throw error;
  }
}

/**
 * The standard settings by precedence: embedded defaults < the CLI's defaults < config file
 * (environment-resolved) < TEMPERED_* variables < flags. Flags left undefined do not override.
 */
export function mergeSettings(input: MergeSettingsInput = {}): StandardSettings {
  const settings = layerSettings(
    input.defaults,
    input.file,
    input.env ? settingsFromEnv(input.env) : undefined,
    input.flags ? settingsFromFlags(input.flags) : undefined,
  );
  checkState(settings.state);
  // named in the "config resolved" line, so a URL set alone shows which backend it selected
  if (settings.state) settings.state.backend = stateBackendOf(settings.state);
  return settings;
}

/** Only the merged settings can tell: the url may come from another layer than the backend. */
function checkState(state: StateSettings | undefined): void {
  if (state === undefined || stateBackendOf(state) !== 'postgres' || state.url !== undefined) return;
  throw new ConfigError(`state.url: the postgres state backend needs a URL, got nothing`, {
    keyPath: 'state.url',
    hint: `set state.url in the config, or ${ConfigEnv.stateUrl}, or pass --state-url postgres://user@host/db`,
  });
}

/** The backend a run uses: the one named, else PostgreSQL when a URL is set, else files. */
export function stateBackendOf(state: StateSettings | undefined): 'file' | 'postgres' {
  return state?.backend ?? (state?.url !== undefined ? 'postgres' : 'file');
}
