import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Args } from '@oclif/core';
import {
  type ApplyContext,
  atomicWriteFile,
  defineSection,
  isPidAlive,
  PermanentError,
  type PlanAction,
  PlannedCommand,
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
  static override args = {
    target: Args.string({ description: 'Directory to write (default: ./tempered-demo-output)' }),
  };
  static override sectionSchema = defineSection(demoSection);
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
    const { files: existing, leftovers } = await listFiles(root);
    const actions: PlanAction<FileChange>[] = [];
    for (const [name, content] of Object.entries(desired).sort(([a], [b]) => a.localeCompare(b))) {
      const path = await resolveSafePath(root, name);
      const current = existing.get(path);
      const kind = current === undefined ? 'create' : current === content ? 'skip' : 'update';
      const reason = kind === 'create' ? 'missing' : kind === 'update' ? 'content differs' : 'up to date';
      // the id names the change (this file with this content), not the kind seen now: a write an
      // interrupted run completed re-plans as a skip under the same id, and new content is a new id
      actions.push({
        id: `write:${name}@${digest(content)}`,
        kind,
        target: name,
        reason,
        details: { path, content },
      });
    }
    if (this.section.prune) {
      const wanted = new Set(
        await Promise.all(Object.keys(desired).map((name) => resolveSafePath(root, name))),
      );
      for (const [path, current] of existing) {
        if (wanted.has(path)) continue;
        const name = relative(root, path);
        actions.push({
          id: `delete:${name}@${digest(current)}`,
          kind: 'delete',
          target: name,
          reason: 'not configured',
          details: { path },
        });
      }
    }
    for (const path of leftovers) {
      const name = relative(root, path);
      actions.push({
        id: `cleanup:${name}`,
        kind: 'delete',
        target: name,
        reason: 'temp file of a killed run',
        details: { path },
      });
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

/** Short content digest for action ids; a prefix of sha256, never the content itself. */
function digest(content: string): string {
  return createHash('sha256').update(content).digest('hex').slice(0, 12);
}

// atomicWriteFile's temp sibling: `.<name>.tmp-<pid>-<12 hex>`
const TEMP_FILE = /^\..+\.tmp-(\d+)-[0-9a-f]{12}$/;

/**
 * The files under `root` with their content, and the temp files of atomic writes whose process
 * is gone (killed mid-write): not content, and nothing else would ever remove them, since every
 * write uses a fresh random temp name. A live process's temp file is left alone.
 */
async function listFiles(root: string): Promise<{ files: Map<string, string>; leftovers: string[] }> {
  const files = new Map<string, string>();
  const leftovers: string[] = [];
  let entries: string[];
  try {
    entries = await readdir(root, { recursive: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { files, leftovers };
    throw error;
  }
  for (const entry of entries.sort()) {
    const temp = TEMP_FILE.exec(basename(entry));
    if (temp) {
      if (!isPidAlive(Number(temp[1]))) leftovers.push(join(root, entry));
      continue;
    }
    const path = join(root, entry);
    try {
      files.set(path, await readFile(path, 'utf8'));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EISDIR') throw error;
    }
  }
  return { files, leftovers };
}
