import { describe, expect, it } from 'vitest';
import { deepMerge } from '../../../src/config/deepMerge.js';

describe('Function: deepMerge', () => {
  it('merges plain objects key by key, at any depth', () => {
    const base = { target: { path: '/srv/app', user: 'app' }, retries: 2 };
    const override = { target: { path: '/srv/prod' } };
    expect(deepMerge(base, override)).toEqual({ target: { path: '/srv/prod', user: 'app' }, retries: 2 });
  });

  it('replaces arrays instead of concatenating them', () => {
    expect(deepMerge({ exclude: ['a', 'b'] }, { exclude: ['c'] })).toEqual({ exclude: ['c'] });
  });

  it('keeps the base when the override is undefined, and lets null replace', () => {
    expect(deepMerge({ a: 1 }, undefined)).toEqual({ a: 1 });
    expect(deepMerge({ a: { b: 1 } }, { a: null })).toEqual({ a: null });
  });

  it('modifies neither input', () => {
    const base = { a: { b: 1 } };
    const override = { a: { c: 2 } };
    deepMerge(base, override);
    expect(base).toEqual({ a: { b: 1 } });
    expect(override).toEqual({ a: { c: 2 } });
  });

  it('never lets a __proto__ key reach Object.prototype', () => {
    const override = JSON.parse('{"__proto__": {"polluted": true}, "ok": 1}') as unknown;
    const merged = deepMerge({}, override) as Record<string, unknown>;
    expect(merged.ok).toBe(1);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(merged)).toBe(Object.prototype);
  });
});
