import type { StandardSettings } from '../config/index.js';
import type { Logger, LogTail } from '../log/index.js';
import type { RunCounters } from '../metrics/index.js';
import type { StateStore } from '../state/index.js';

/** Everything a command needs to do its job, opened once by the base command. */
export interface RunContext {
  cli: string;
  command: string;
  runId: string;
  /** The run's id on its heartbeat pings (`?rid=`): healthchecks.io takes only a UUID. */
  pingRunId: string;
  environment: { name: string; protected: boolean };
  settings: StandardSettings;
  /** This CLI's config section, validated by the command's `sectionSchema`. */
  section: unknown;
  configFile: string | undefined;
  logger: Logger;
  /** The log's last lines (redacted), for the closing heartbeat ping. */
  logTail: LogTail;
  counters: RunCounters;
  store: StateStore;
  stateRoot: string | undefined;
  /** Aborted by SIGINT/SIGTERM. */
  signal: AbortSignal;
  startedAt: Date;
}
