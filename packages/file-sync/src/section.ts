import { z } from 'zod';

// interpolation yields strings: `maxDelete: ${MAX_DELETE}` and `delete: ${PRUNE}` must still parse
const fromString = (value: unknown) => {
  if (typeof value !== 'string') return value;
  if (/^\d+$/.test(value)) return Number(value);
  if (value === 'true' || value === 'false') return value === 'true';
  return value;
};
const count = (min: number, max?: number) => {
  const base = z.int().min(min);
  return z.preprocess(fromString, max === undefined ? base : base.max(max));
};
const flag = z.preprocess(fromString, z.boolean());
const path = z.string().min(1, { error: 'a non-empty path' });
const globs = z.array(z.string().min(1, { error: 'a non-empty glob' }));

/**
 * The `file-sync` section of the config, at the top level and per environment
 * (`environments.prod.file-sync`). Every key is optional; flags override it.
 */
export const syncSection = z.strictObject({
  /** Directory to sync from (relative: to the config file's directory). */
  source: path.optional(),
  /** Directory to sync into (relative: to the config file's directory). */
  destination: path.optional(),
  delete: flag.optional(),
  maxDelete: count(0).optional(),
  include: globs.optional(),
  exclude: globs.optional(),
  checksum: flag.optional(),
  symlinks: z.enum(['preserve', 'follow', 'skip']).optional(),
  concurrency: count(1, 256).optional(),
  fsync: flag.optional(),
  allowEmptySource: flag.optional(),
});

export type SyncSection = z.infer<typeof syncSection>;

export const DEFAULT_MAX_DELETE = 1000;
export const DEFAULT_CONCURRENCY = 8;
