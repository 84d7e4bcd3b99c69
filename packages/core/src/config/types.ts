import type { z } from 'zod';
import type { LogLevelName } from '../log/constants.js';

/** Retry policy overrides, durations already in milliseconds. Unset fields keep the retry module's defaults. */
export interface RetrySettings {
  maxAttempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  attemptTimeoutMs?: number;
  deadlineMs?: number;
}

/** `state:` as merged from the layers; see stateBackendOf() for the backend a run uses. */
export interface StateSettings {
  /** Unset: `postgres` when a url is set, else `file`. */
  backend?: 'file' | 'postgres';
  /** postgres:// or postgresql://; its password is a registered secret. */
  url?: string;
  /** Unset: the backend's default (`tempered`). */
  schema?: string;
  leaseTtlMs?: number;
}

/** The settings every Tempered CLI shares, after defaults, config file, env vars and flags. */
export interface StandardSettings {
  logLevel: LogLevelName;
  logFile?: string;
  stateDir?: string;
  lockWaitMs: number;
  /** One Prometheus textfile at this exact path. */
  metricsFile?: string;
  /** node_exporter's textfile directory: each job writes its own `tempered_<cli>_<command>[_<env>].prom`. */
  metricsDir?: string;
  /** Heartbeat base URL: `/start`, (nothing) and `/fail` are appended by the run lifecycle. */
  ping?: string;
  retry: RetrySettings;
  /**
   * Environment variables whose values are masked besides those whose names mark them secret
   * (see isSecretEnvName); an environment's list adds to the top-level one.
   */
  secretVars?: string[];
  /** The state backend; absent means the file backend under stateDir. */
  state?: StateSettings;
}

/** One precedence layer: only what that source actually said. */
export type SettingsLayer = Partial<Omit<StandardSettings, 'retry'>> & { retry?: RetrySettings };

/** Standard flag values as the command received them (`undefined` = flag not given). */
export interface SettingsFlags {
  logLevel?: string | undefined;
  logFile?: string | undefined;
  stateDir?: string | undefined;
  lockWait?: string | number | undefined;
  metricsFile?: string | undefined;
  metricsDir?: string | undefined;
  ping?: string | undefined;
  /** `--state-url`: sets the URL and selects the PostgreSQL backend. */
  stateUrl?: string | undefined;
}

/** Where the config file path came from: `none` means no file, the embedded defaults apply. */
export type ConfigSource = 'flag' | 'env' | 'default' | 'none';

export interface LoadConfigFileOptions<S extends z.ZodType = z.ZodType<unknown>> {
  /** The `--config` flag value. */
  path?: string | undefined;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** The running CLI's name, which is also the name of its config section (`file-sync`). */
  cli: string;
  /** Validates the CLI's section after the environment's part is merged into the top-level part. */
  sectionSchema?: S;
}

export interface LoadedConfig<Section = unknown> {
  cli: string;
  /** Absolute path of the file read; undefined when there is none. */
  file: string | undefined;
  source: ConfigSource;
  /** The parsed document before interpolation (placeholders are resolved per environment). */
  data: Readonly<Record<string, unknown>>;
  /** Environment names in file order; empty when the config defines none. */
  environments: readonly string[];
  sectionSchema: z.ZodType<Section> | undefined;
}

export interface ResolveEnvironmentOptions {
  /** The `--environment` flag value. */
  requested?: string | undefined;
  env?: NodeJS.ProcessEnv;
}

export interface ResolvedEnvironment<Section = unknown> {
  name: string;
  protected: boolean;
  /** Embedded defaults < top-level settings < this environment's settings. */
  settings: StandardSettings;
  /** Only what the config file says (top-level < environment): the `file` layer of mergeSettings. */
  fileSettings: SettingsLayer;
  /** The CLI's section, top-level deep-merged with the environment's, validated by sectionSchema. */
  section: Section;
}

export interface MergeSettingsInput {
  /** The CLI's own defaults, above the embedded DEFAULT_SETTINGS. */
  defaults?: SettingsLayer | undefined;
  file?: SettingsLayer | undefined;
  /** Raw environment; only the TEMPERED_* settings variables are read. */
  env?: NodeJS.ProcessEnv | undefined;
  flags?: SettingsFlags | undefined;
}

export interface ConfigSummary {
  cli: string;
  file: string | null;
  source: ConfigSource;
  environment: string;
  protected: boolean;
  settings: StandardSettings;
}
