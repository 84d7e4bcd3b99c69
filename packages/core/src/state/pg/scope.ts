import { UsageError } from '../../errors/index.js';

/** Where this store's rows live: a schema, and the (cli, environment) every row is keyed by. */
export interface PgScope {
  /** Quoted, ready to prefix table names. */
  readonly schema: string;
  readonly cli: string;
  readonly environment: string;
}

const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

/** The schema name as an SQL identifier; only plain lower-case names, so quoting can never be escaped. */
export function quoteSchema(name: string): string {
  if (!IDENTIFIER.test(name)) {
    throw new UsageError(
      `state schema must be a lower-case SQL identifier (letters, digits, _), got ${JSON.stringify(name)}`,
    );
  }
  return `"${name}"`;
}
