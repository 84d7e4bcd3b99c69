import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import {
  atomicWriteFile,
  type Job,
  renderPlanHuman,
  renderSummaryLine,
  resolveSafePath,
} from '@tempered/core';
import { type FileChange, type PlanInputs, planFiles } from './plan.js';
import { configSection, DEFAULT_FILES, DEFAULT_TARGET, type Section } from './section.js';

export interface WriteOptions extends Section {
  root: string;
  files: Record<string, string>;
}

/**
 * `__CLI__ apply [TARGET]` as a job on core's runner: read gathers the inputs (all the I/O),
 * plan is pure (./plan.ts), open applies one action at a time. Core owns the standard flags,
 * config, environments, the lock, --dry-run, the journal, run records, metrics and exit codes.
 */
export const writeFilesJob: Job<WriteOptions, PlanInputs, FileChange, null, unknown, { target?: string }> = {
  options: (input) => {
    const section = configSection.parse(input.section ?? {});
    const root = resolve(input.cwd, input.args.target ?? section.target ?? DEFAULT_TARGET);
    return { ...section, root, files: section.files ?? DEFAULT_FILES };
  },

  target: (options) => options.root,

  async read(options) {
    const desired = await Promise.all(
      Object.entries(options.files).map(async ([name, content]) => ({
        name,
        path: await resolveSafePath(options.root, name),
        content,
      })),
    );
    return { desired, existing: await readTree(options.root), prune: options.prune };
  },

  plan: (inputs, options) => ({
    actions: planFiles(inputs),
    warnings: [],
    // files are independent: one failing write does not stop the others (exit 3, re-run to finish)
    policy: { onError: 'continue', maxDelete: options.maxDelete, itemize: true },
    info: null,
  }),

  facts: (inputs) => Object.fromEntries([...inputs.existing].map(([name, file]) => [name, file.content])),

  open: () => ({
    /** One action, idempotent: writing the same content twice, or deleting a missing file, is a no-op. */
    async apply(action, ctx) {
      const { path, content } = action.details as FileChange;
      if (action.kind === 'delete') {
        await rm(path, { force: true });
      } else {
        await mkdir(dirname(path), { recursive: true });
        await atomicWriteFile(path, content ?? '', { mode: 0o644 });
      }
      ctx.logger.info({ path: action.target, kind: action.kind }, 'file written');
    },
    summary: (result) => `Applied ${result.applied} change(s).`,
  }),

  renderPlan: (plan, options, io) =>
    renderPlanHuman({ cli: io.cli, command: io.command, environment: io.environment.name, target: options.root, ...plan }),
  renderNoop: (_plan, summary) => renderSummaryLine(summary),
};

/** Every regular file under `root`, by relative name; a missing root is an empty tree. */
async function readTree(root: string): Promise<Map<string, { path: string; content: string }>> {
  const tree = new Map<string, { path: string; content: string }>();
  let entries: string[];
  try {
    entries = await readdir(root, { recursive: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return tree;
    throw error;
  }
  for (const entry of entries.sort()) {
    const path = join(root, entry);
    try {
      tree.set(relative(root, path), { path, content: await readFile(path, 'utf8') });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EISDIR') throw error;
    }
  }
  return tree;
}
