import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { Args } from '@oclif/core';
import { type ApplyContext, atomicWriteFile, defineSection, type PlanAction, PlannedCommand, resolveSafePath } from '@tempered/core';
import { type FileChange, planFiles } from '../plan.js';
import { configSection, DEFAULT_FILES, DEFAULT_TARGET, type Section } from '../section.js';

/**
 * `__CLI__ apply [TARGET]`: make TARGET hold exactly the configured files. Core's PlannedCommand
 * owns the standard flags, config, environments, the lock, --dry-run, the journal, run records,
 * metrics and exit codes; this class gathers inputs, plans, and applies one action.
 */
export default class Apply extends PlannedCommand<FileChange> {
  static override summary = 'Make a directory hold exactly the configured files: plan, then apply.';
  static override examples = [
    '<%= config.bin %> apply --dry-run',
    '<%= config.bin %> apply ./out',
    '<%= config.bin %> apply -e prod --yes --json',
  ];
  static override args = {
    target: Args.string({
      description: `Directory to write (default: ${DEFAULT_TARGET}, or target in the config)`,
    }),
  };
  static override sectionSchema = defineSection(configSection);
  /** Files are independent: one failing write does not stop the others (exit 3, re-run to finish). */
  protected override onActionError = 'continue' as const;

  private get section(): Section {
    return configSection.parse(this.ctx.section ?? {});
  }

  protected target(): string {
    return resolve((this.args.target as string | undefined) ?? this.section.target ?? DEFAULT_TARGET);
  }

  protected override maxDelete(): number {
    return this.section.maxDelete;
  }

  /** Gathers the inputs (I/O), then plans (pure). */
  protected async plan(): Promise<PlanAction<FileChange>[]> {
    const root = this.target();
    const files = this.section.files ?? DEFAULT_FILES;
    const desired = await Promise.all(
      Object.entries(files).map(async ([name, content]) => ({
        name,
        path: await resolveSafePath(root, name),
        content,
      })),
    );
    return planFiles({ desired, existing: await readTree(root), prune: this.section.prune });
  }

  /** One action, idempotent: writing the same content twice, or deleting a missing file, is a no-op. */
  protected async applyAction(action: PlanAction<FileChange>, ctx: ApplyContext): Promise<void> {
    const { path, content } = action.details!;
    if (action.kind === 'delete') {
      await rm(path, { force: true });
    } else {
      await mkdir(dirname(path), { recursive: true });
      await atomicWriteFile(path, content ?? '', { mode: 0o644 });
    }
    ctx.logger.info({ path: action.target, kind: action.kind }, 'file written');
  }
}

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
