import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { hashPayload, stableStringify } from '../../../src/state/index.js';

/** The hand-written writer safe-stable-stringify replaced: hashes on disk were made with it. */
function previousStableStringify(value: unknown): string {
  const sortKeys = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(sortKeys);
    if (node === null || typeof node !== 'object') return node;
    const record = node as Record<string, unknown>;
    return Object.fromEntries(
      Object.keys(record)
        .sort()
        .map((key) => [key, sortKeys(record[key])]),
    );
  };
  const json = JSON.stringify(value);
  return json === undefined ? 'null' : JSON.stringify(sortKeys(JSON.parse(json)));
}

describe('Function: stableStringify', () => {
  it('sorts keys at every depth and follows JSON for the rest', () => {
    expect(stableStringify({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: undefined } })).toBe(
      '{"a":{"d":[3,{"y":2,"z":1}]},"b":1}',
    );
    expect(stableStringify(new Date('2025-01-01T00:00:00Z'))).toBe('"2025-01-01T00:00:00.000Z"');
    expect(stableStringify(undefined)).toBe('null');
  });

  it('writes exactly what the previous writer wrote, index-like keys and odd values included', () => {
    const samples: unknown[] = [
      { 10: 'ten', 2: 'two', b: 1, a: 0, '01': 'not an index', '-1': 'nor this', 4294967295: 'too big' },
      { nested: [{ z: [1, { y: null, x: undefined }], 3: true }], fn: () => 1, sym: Symbol('s') },
      { nan: Number.NaN, inf: Number.POSITIVE_INFINITY, negZero: -0, big: 1e21, small: 5e-7 },
      { text: 'quote " backslash \\ newline \n tab \t nul \u0000 lone \udcff pair 😀 é', 'ké\u2028y': 1 },
      { when: new Date(0), custom: { toJSON: () => ({ b: 2, a: 1 }) }, list: [undefined, () => 1] },
      [3, 'x', null, [], {}],
      'plain',
      42,
      null,
    ];
    for (const sample of samples) expect(stableStringify(sample)).toBe(previousStableStringify(sample));
  });

  it('refuses a cycle, as JSON.stringify does, rather than hashing "[Circular]"', () => {
    const cycle: Record<string, unknown> = { a: 1 };
    cycle.self = cycle;
    expect(() => stableStringify(cycle)).toThrow(TypeError);
  });
});

describe('Function: hashPayload', () => {
  it('hashes equal payloads equally whatever their key order, and different ones differently', () => {
    expect(hashPayload({ a: 1, b: 2 })).toBe(hashPayload({ b: 2, a: 1 }));
    expect(hashPayload({ a: 1 })).not.toBe(hashPayload({ a: 2 }));
    expect(hashPayload('x')).toMatch(/^[0-9a-f]{64}$/);
  });

  it('keeps the hash of a record written before the change', () => {
    const payload = { target: '/srv/out', files: { 10: 'b', 2: 'a' }, kind: 'create' };
    const before = createHash('sha256').update(
      '{"files":{"2":"a","10":"b"},"kind":"create","target":"/srv/out"}',
    );
    expect(hashPayload(payload)).toBe(before.digest('hex'));
  });
});
