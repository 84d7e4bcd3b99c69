import type { Logger } from '../log/index.js';
import { FileStateStore } from './FileStateStore.js';
import type { PgStateStoreOptions } from './pg/options.js';
import { ensureStateDir, stateDirFor } from './stateDir.js';
import type { StateStore } from './types.js';

export type StateBackendSettings =
  | { backend: 'file'; root: string | undefined }
  | ({ backend: 'postgres' } & Pick<PgStateStoreOptions, 'url' | 'schema' | 'leaseTtlMs'>);

export interface OpenStateStoreOptions {
  state: StateBackendSettings;
  cli: string;
  environment: string;
  runId: string;
  logger: Logger;
  /** A run that changes things needs a usable store up front; a dry-run only reads. */
  forWriting: boolean;
}

/**
 * The run's state store: the embedded file backend by default, or PostgreSQL for jobs that run on
 * several hosts. The PostgreSQL client loads only here, only when that backend is chosen.
 */
export async function openStateStore(options: OpenStateStoreOptions): Promise<StateStore> {
  const { state, cli, environment, runId, logger } = options;
  if (state.backend === 'file') {
    const dir = stateDirFor({ root: state.root, cli, environment });
    if (options.forWriting) await ensureStateDir(dir);
    return new FileStateStore(dir, { logger, runId });
  }
  const { openPgStateStore } = await import('./pg/PgStateStore.js');
  return openPgStateStore({ ...state, cli, environment, runId, logger });
}
