import { secrets } from '../log/redact.js';
import { registerStateUrlSecrets } from './stateUrl.js';
import type { ConfigSummary, LoadedConfig, ResolvedEnvironment, StandardSettings } from './types.js';

/**
 * The "config summary" decision-point log line: which file, which environment, and the
 * settings the run will use. Pass the final merged settings when flags and env vars are in
 * play; the environment's own settings are the default. Redacted, so it is safe to log as is.
 */
export function summarizeConfig(
  loaded: LoadedConfig<unknown>,
  resolved: ResolvedEnvironment<unknown>,
  settings: StandardSettings = resolved.settings,
): ConfigSummary {
  // settings built without the schema (a test, an embedding) still never print the password
  registerStateUrlSecrets(settings.state?.url);
  return secrets.redact({
    cli: loaded.cli,
    file: loaded.file ?? null,
    source: loaded.source,
    environment: resolved.name,
    protected: resolved.protected,
    settings,
  });
}
