import { z } from 'zod';

/**
 * The `__CLI__` section of the config, at the top level and per environment
 * (`environments.<name>.__CLI__`, merged over the top level). Strict: an unknown key is a config
 * error that names the file and the key. Every key has an embedded default, so the CLI runs with
 * no config at all.
 */
export const configSection = z.strictObject({
  /** Directory to write when no TARGET argument is given; relative to the working directory. */
  target: z.string().min(1).optional(),
  /** File name (relative to the target) -> content. */
  files: z.record(z.string().min(1), z.string()).optional(),
  /** Also delete files in the target that are not configured (capped by maxDelete). */
  prune: z.boolean().default(false),
  /** Most deletions in one run; over it nothing is deleted and the run exits 3. */
  maxDelete: z.int().min(0).default(100),
});

export type Section = z.infer<typeof configSection>;

/** What the CLI writes when the config names no files. */
export const DEFAULT_FILES: Record<string, string> = {
  'hello.txt': 'Written by __CLI__: planned first, applied atomically, safe to re-run.\n',
};

export const DEFAULT_TARGET = '__CLI__-output';
