import { describe, expect, it } from 'vitest';
import { hashPayload, stableStringify } from '../../../src/state/index.js';

describe('Function: stableStringify', () => {
  it('sorts keys at every depth and follows JSON for the rest', () => {
    expect(stableStringify({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: undefined } })).toBe(
      '{"a":{"d":[3,{"y":2,"z":1}]},"b":1}',
    );
    expect(stableStringify(new Date('2025-01-01T00:00:00Z'))).toBe('"2025-01-01T00:00:00.000Z"');
    expect(stableStringify(undefined)).toBe('null');
  });
});

describe('Function: hashPayload', () => {
  it('hashes equal payloads equally whatever their key order, and different ones differently', () => {
    expect(hashPayload({ a: 1, b: 2 })).toBe(hashPayload({ b: 2, a: 1 }));
    expect(hashPayload({ a: 1 })).not.toBe(hashPayload({ a: 2 }));
    expect(hashPayload('x')).toMatch(/^[0-9a-f]{64}$/);
  });
});
