/**
 * vitest globalSetup: one throwaway PostgreSQL cluster for the whole run, its URL handed to every
 * test worker as TEMPERED_TEST_STATE_URL, so each Workspace's CLIs keep their state there (each
 * workspace in a schema of its own). Stopped when the run ends.
 */
import { startPostgres } from './postgres.js';
import { TEST_STATE_URL_VARIABLE } from './Workspace.js';

export default async function setup(): Promise<() => Promise<void>> {
  const cluster = await startPostgres();
  // set before the workers start, so they inherit it
  process.env[TEST_STATE_URL_VARIABLE] = cluster.url;
  return async () => {
    delete process.env[TEST_STATE_URL_VARIABLE];
    await cluster.stop();
  };
}
