import { createHash } from 'node:crypto';
import { configure } from 'safe-stable-stringify';

/** An array index as JavaScript orders object keys: `0`, `1`, ... below 2^32 - 1. */
const INDEX_KEY = /^(?:0|[1-9]\d{0,9})$/;
const MAX_INDEX = 2 ** 32 - 2;

function isIndex(key: string): boolean {
  return INDEX_KEY.test(key) && Number(key) <= MAX_INDEX;
}

/**
 * The key order of the hashes already on disk: they were made by sorting keys and rebuilding
 * each object, and JavaScript lists index-like keys (`"2"`, `"10"`) first, in numeric order,
 * whatever order they were added in. Sorting plainly would put `"10"` before `"2"` and change the
 * hash of every idempotency record keyed by such a map.
 */
function recordKeyOrder(a: string, b: string): number {
  const ia = isIndex(a);
  const ib = isIndex(b);
  if (ia && ib) return Number(a) - Number(b);
  if (ia !== ib) return ia ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

// a cycle is a bug in the caller, as it is for JSON.stringify, not a "[Circular]" to hash
const stringify = configure({ deterministic: recordKeyOrder, circularValue: TypeError });

/**
 * JSON with object keys sorted at every depth, so equal payloads hash equal whatever order
 * their keys were built in. Follows JSON.stringify for the rest (toJSON, undefined dropped).
 */
export function stableStringify(value: unknown): string {
  return stringify(value) ?? 'null';
}

/** sha256 hex of the stable JSON of `payload`: the payload hash idempotency records compare. */
export function hashPayload(payload: unknown): string {
  return createHash('sha256').update(stableStringify(payload)).digest('hex');
}
