import { z } from 'zod';

/** The `tempered-demo` section of the config; every key has an embedded default. */
export const demoSection = z
  .object({
    target: z.string().min(1).optional(),
    files: z.record(z.string(), z.string()).optional(),
    prune: z.boolean().default(false),
    /** Test hooks: slow each action down, or make named files fail. */
    actionDelayMs: z.number().int().nonnegative().default(0),
    failOn: z.array(z.string()).default([]),
  })
  .strict();

export type DemoSection = z.infer<typeof demoSection>;

export const DEFAULT_FILES: Record<string, string> = {
  'README.txt': 'Written by tempered-demo: plan, then apply, atomically and idempotently.\n',
  'hello.txt': 'hello from Tempered\n',
  'data/settings.json': '{ "retries": 4, "dryRunFirst": true }\n',
};
