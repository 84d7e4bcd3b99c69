import { TransientError } from '../../errors/index.js';
import type { StateStore } from '../types.js';
import type { PgStateStoreOptions } from './options.js';

/**
 * The PostgreSQL state backend: connects, migrates the schema under an advisory lock, and
 * returns the store. Placeholder until the backend lands (issue 17): refuses with exit 75.
 */
export async function openPgStateStore(options: PgStateStoreOptions): Promise<StateStore> {
  throw new TransientError(`the PostgreSQL state backend is not available yet (schema ${options.schema ?? 'tempered'})`);
}
