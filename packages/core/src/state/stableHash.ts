import { createHash } from 'node:crypto';

/**
 * JSON with object keys sorted at every depth, so equal payloads hash equal whatever order
 * their keys were built in. Follows JSON.stringify for the rest (toJSON, undefined dropped).
 */
export function stableStringify(value: unknown): string {
  const json = JSON.stringify(value);
  return json === undefined ? 'null' : JSON.stringify(sortKeys(JSON.parse(json)));
}

/** sha256 hex of the stable JSON of `payload`: the payload hash idempotency records compare. */
export function hashPayload(payload: unknown): string {
  return createHash('sha256').update(stableStringify(payload)).digest('hex');
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object') return value;
  const record = value as Record<string, unknown>;
  return Object.fromEntries(
    Object.keys(record)
      .sort()
      .map((key) => [key, sortKeys(record[key])]),
  );
}
