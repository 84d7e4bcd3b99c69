import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors/index.js';
import { openPgStateStore } from '../../src/state/pg/PgStateStore.js';

// refused before any connection is tried: no server needed
describe('openPgStateStore refuses bad settings in one line, without echoing the URL', () => {
  const base = { cli: 'deploy', environment: 'prod', runId: 'run-1' };

  it('refuses a URL that does not parse or is not postgres://', async () => {
    // Act
    const garbled = await openPgStateStore({ ...base, url: 'not a url :pw-s3cret' }).catch((e: unknown) => e);
    const http = await openPgStateStore({ ...base, url: 'http://u:pw-s3cret@host/db' }).catch(
      (e: unknown) => e,
    );
    // Assess
    for (const error of [garbled, http]) {
      expect(error).toBeInstanceOf(UsageError);
      expect((error as Error).message).not.toContain('pw-s3cret');
      expect((error as Error).message).not.toContain('\n');
    }
  });

  it('refuses a schema name that is not a plain identifier, and a lease TTL too short to renew', async () => {
    // Act
    const schema = await openPgStateStore({
      ...base,
      url: 'postgres://h/db',
      schema: 'x"; drop table y; --',
    }).catch((e: unknown) => e);
    const ttl = await openPgStateStore({ ...base, url: 'postgres://h/db', leaseTtlMs: 10 }).catch(
      (e: unknown) => e,
    );
    // Assess
    expect(schema).toBeInstanceOf(UsageError);
    expect((schema as Error).message).toMatch(/state schema must be a lower-case SQL identifier/);
    expect(ttl).toBeInstanceOf(UsageError);
  });

  it('refuses a retention bound that is not a positive integer', async () => {
    // Act
    const runs = await openPgStateStore({ ...base, url: 'postgres://h/db', maxRuns: 0 }).catch(
      (e: unknown) => e,
    );
    const journals = await openPgStateStore({
      ...base,
      url: 'postgres://h/db',
      maxArchivedJournals: 1.5,
    }).catch((e: unknown) => e);
    // Assess
    expect(runs).toBeInstanceOf(UsageError);
    expect((runs as Error).message).toBe('state store option maxRuns must be a positive integer, got 0');
    expect(journals).toBeInstanceOf(UsageError);
  });
});
