import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineSection } from '../../../src/config/index.js';

describe('defineSection', () => {
  it('leaves the schema working and drops it from JSON (oclif manifests)', () => {
    const schema = defineSection(z.object({ target: z.string() }).strict());
    expect(schema.parse({ target: '/srv' })).toEqual({ target: '/srv' });
    expect(() => schema.parse({ target: 1 })).toThrow();
    expect(JSON.stringify({ id: 'release', sectionSchema: schema })).toBe('{"id":"release"}');
  });
});
