export {
  CONFIG_LIMITS,
  ConfigEnv,
  DEFAULT_ENVIRONMENT,
  DEFAULT_SETTINGS,
  ENVIRONMENT_NAME_PATTERN,
  MAX_SECRET_FILE_BYTES,
  SECRET_VAR_PATTERN,
} from './constants.js';
export { deepMerge } from './deepMerge.js';
export { defineSection } from './defineSection.js';
export { formatIssue, formatKeyPath } from './formatIssue.js';
export { isSecretVariable } from './interpolate.js';
export { loadConfig, loadConfigFile } from './loadConfigFile.js';
export { mergeSettings, stateBackendOf } from './mergeSettings.js';
export { type RegisterSecretEnvOptions, registerSecretEnv } from './registerSecretEnv.js';
export { resolveEnvironment } from './resolveEnvironment.js';
export {
  type BaseConfig,
  baseConfigSchema,
  byteSizeSchema,
  durationSchema,
  environmentSchema,
  standardSettingsSchema,
} from './schema.js';
export { summarizeConfig } from './summarizeConfig.js';
export type {
  ConfigSource,
  ConfigSummary,
  LoadConfigFileOptions,
  LoadedConfig,
  MergeSettingsInput,
  ResolvedEnvironment,
  ResolveEnvironmentOptions,
  RetrySettings,
  SettingsFlags,
  SettingsLayer,
  StandardSettings,
  StateSettings,
} from './types.js';
