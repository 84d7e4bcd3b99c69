import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Args } from '@oclif/core';
import {
  type ApplyContext,
  atomicWriteFile,
  PermanentError,
  PlannedCommand,
  type PlanAction,
  resolveSafePath,
} from '@tempered/core';
import { DEFAULT_FILES, type DemoSection, demoSection } from '../section.js';

interface FileChange {
  path: string;
  content?: string;
}

export default class Apply extends PlannedCommand<FileChange> {
  static override summary = 'Make a directory hold exactly the configured files (plan, then apply).';
  static override examples = ['<%= config.bin %> apply', '<%= config.bin %> apply ./out --dry-run --json'];
  static override args = { target: Args.string({ description: 'Directory to write (default: ./tempered-demo-output)' }) };
  static override sectionSchema = demoSection;
  protected override onActionError = 'continue' as const;

  private get section(): DemoSection {
    return demoSection.parse(this.ctx.section ?? {});
  }

  protected target(): string {
    return resolve((this.args.target as string | undefined) ?? this.section.target ?? 'tempered-demo-output');
  }

  protected async plan(): Promise<PlanAction<FileChange>[]> {
    const root = await this.target();
    const desired = this.section.files ?? DEFAULT_FILES;
    const existing = await listFiles(root);
    const actions: PlanAction<FileChange>[] = [];
    for (const [name, content] of Object.entries(desired).sort(([a], [b]) => a.localeCompare(b))) {
      const path = await resolveSafePath(root, name);
      const current = existing.get(path);
      const kind = current === undefined ? 'create' : current === content ? 'skip' : 'update';
      const reason = kind === 'create' ? 'missing' : kind === 'update' ? 'content differs' : 'up to date';
      actions.push({ id: `${kind}:${name}`, kind, target: name, reason, details: { path, content } });
    }
    if (this.section.prune) {
      const wanted = new Set(await Promise.all(Object.keys(desired).map((name) => resolveSafePath(root, name))));
      for (const path of existing.keys()) {
        if (wanted.has(path)) continue;
        const name = relative(root, path);
        actions.push({ id: `delete:${name}`, kind: 'delete', target: name, reason: 'not configured', details: { path } });
      }
    }
    return actions;
  }

  protected async applyAction(action: PlanAction<FileChange>, ctx: ApplyContext): Promise<void> {
    const { path, content } = action.details!;
    if (this.section.actionDelayMs > 0) await sleep(this.section.actionDelayMs);
    if (this.section.failOn.includes(action.target)) {
      throw new PermanentError(`refusing to write ${action.target} (failOn)`);
    }
    if (action.kind === 'delete') await rm(path, { force: true });
    else {
      await mkdir(dirname(path), { recursive: true });
      await atomicWriteFile(path, content ?? '', { mode: 0o644 });
    }
    ctx.logger.info({ path: action.target, kind: action.kind }, 'file written');
  }
}

async function listFiles(root: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  let entries: string[];
  try {
    entries = await readdir(root, { recursive: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return files;
    throw error;
  }
  for (const entry of entries) {
    // a killed run's temp file is not content; the next atomic write of that file replaces it
    if (/\.tmp-\d+-/.test(entry)) continue;
    const path = join(root, entry);
    try {
      files.set(path, await readFile(path, 'utf8'));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EISDIR') throw error;
    }
  }
  return files;
}
