import type { StandardSettings } from './types.js';

/** Looked for in the working directory, in this order, when neither --config nor TEMPERED_CONFIG is set. */
export const LOCAL_CONFIG_FILES = ['tempered.yml', 'tempered.yaml', 'tempered.json'] as const;

/** The per-user file, under $XDG_CONFIG_HOME (or ~/.config), tried after the local ones. */
export const USER_CONFIG_FILE = 'tempered/config.yml';

/** The machine's config, last in line: cron jobs run from `/` with a HOME they may not own. */
export const SYSTEM_CONFIG_FILE = '/etc/tempered/config.yml';

export const CONFIG_EXTENSIONS = ['.yml', '.yaml', '.json'] as const;

/**
 * Limits on a config file, which is untrusted input: a real config is a few KB and a few levels
 * deep. Each refusal is a ConfigError (exit 2) naming the file and the limit.
 */
export const CONFIG_LIMITS = {
  /** Size of the file on disk. */
  maxBytes: 1024 * 1024,
  /** Nesting of maps and lists; the top-level map is depth 1. */
  maxDepth: 64,
  /** YAML alias uses (`*name`) in one file. */
  maxAliases: 100,
  /**
   * Values (maps, lists, scalars) of the document once YAML aliases are expanded, and the
   * characters of its strings: what the run would hold in memory and walk.
   */
  maxExpandedValues: 100_000,
  maxExpandedChars: 4 * 1024 * 1024,
} as const;

/** Largest `*_FILE` secret read: a password, a token, a key or a certificate chain is a few KB. */
export const MAX_SECRET_FILE_BYTES = 64 * 1024;

/** The environment used when a config defines none, or when there is no config at all. */
export const DEFAULT_ENVIRONMENT = 'default';

/** Environment names end up in state paths and lock names, so they must be plain path segments. */
export const ENVIRONMENT_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** Variables the config module reads; the standard settings ones mirror the standard flags. */
export const ConfigEnv = {
  config: 'TEMPERED_CONFIG',
  environment: 'TEMPERED_ENVIRONMENT',
  logLevel: 'TEMPERED_LOG_LEVEL',
  logFile: 'TEMPERED_LOG_FILE',
  stateDir: 'TEMPERED_STATE_DIR',
  lockWait: 'TEMPERED_LOCK_WAIT',
  metricsFile: 'TEMPERED_METRICS_FILE',
  metricsDir: 'TEMPERED_METRICS_DIR',
  ping: 'TEMPERED_PING',
  stateBackend: 'TEMPERED_STATE_BACKEND',
  /** Its password is registered as a secret although the name is ours (see registerStateUrlSecrets). */
  stateUrl: 'TEMPERED_STATE_URL',
  stateSchema: 'TEMPERED_STATE_SCHEMA',
  /** Comma-separated names of extra variables whose values are secrets (e.g. TEMPERED_PING). */
  secretVars: 'TEMPERED_SECRET_VARS',
} as const;

/** Keys allowed both at the top level and inside each environment. */
export const STANDARD_KEYS = [
  'logLevel',
  'logFile',
  'stateDir',
  'lockWait',
  'metricsFile',
  'metricsDir',
  'ping',
  'retry',
  'secretVars',
  'state',
] as const;

/** Where run state lives: files under the state dir (the embedded default) or PostgreSQL. */
export const STATE_BACKENDS = ['file', 'postgres'] as const;

export const STATE_LIMITS = {
  /** PostgreSQL folds unquoted names to lower case and cuts them at 63 bytes. */
  schemaPattern: /^[a-z_][a-z0-9_]{0,62}$/,
  /** The lease is renewed every third of its TTL: below a second that is a busy loop. */
  minLeaseTtlMs: 1000,
} as const;

export const RETRY_KEYS = ['maxAttempts', 'baseDelay', 'maxDelay', 'attemptTimeout', 'deadline'] as const;

/** Top-level keys besides the standard ones (and besides the running CLI's own section). */
export const TOP_LEVEL_KEYS = ['defaultEnvironment', 'environments', ...STANDARD_KEYS] as const;

/** Keys of an environment besides the running CLI's own section. */
export const ENVIRONMENT_KEYS = ['protected', ...STANDARD_KEYS] as const;

/** Standard settings holding paths: relative ones in a config file are taken from the file's directory. */
export const PATH_SETTINGS = ['logFile', 'stateDir', 'metricsFile', 'metricsDir'] as const;

/**
 * Variable names whose values are treated as secrets when interpolated. Over-matching only
 * hides a harmless value from logs; under-matching prints a secret, so the net is wide. `PWD` is
 * left out on purpose: it is the shell's working directory, and hiding it would blank every path.
 */
export const SECRET_VAR_PATTERN =
  /PASS(WORD|WD|PHRASE)?|TOKEN|SECRET|KEY|CREDENTIAL|AUTH|COOKIE|SESSION|SIGNATURE/i;

/** Our own settings variables are documented as non-secret, whatever their names contain. */
export const NON_SECRET_VAR_PREFIX = 'TEMPERED_';

/** The embedded defaults: what a CLI runs with when nothing else is said. */
export const DEFAULT_SETTINGS: Readonly<StandardSettings> = Object.freeze({
  logLevel: 'info',
  lockWaitMs: 0,
  retry: Object.freeze({}),
});

/** Dunder keys never take part in merges: a config file must not reach Object.prototype. */
export const UNSAFE_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);
