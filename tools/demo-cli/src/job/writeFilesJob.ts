import { createHash } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import { dirname, relative, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  atomicWriteFile,
  type Job,
  PermanentError,
  type PlanAction,
  renderPlanHuman,
  renderSummaryLine,
  resolveSafePath,
} from '@tempered/core';
import { DEFAULT_FILES, type DemoSection, demoSection } from '../section.js';
import { listFiles } from './listFiles.js';

export interface FileChange {
  path: string;
  content?: string;
}

export interface WriteOptions extends DemoSection {
  root: string;
  desired: Record<string, string>;
}

export interface WriteWorld {
  /** Where each desired name lands under the root (checked not to escape it). */
  paths: Record<string, string>;
  existing: Map<string, string>;
  leftovers: string[];
}

/** Make a directory hold exactly the configured files. */
export const writeFilesJob: Job<WriteOptions, WriteWorld, FileChange, null, unknown, { target?: string }> = {
  options: (input) => {
    const section = demoSection.parse(input.section ?? {});
    const root = resolve(input.cwd, input.args.target ?? section.target ?? 'tempered-demo-output');
    return { ...section, root, desired: section.files ?? DEFAULT_FILES };
  },

  target: (options) => options.root,

  async read(options) {
    const paths: Record<string, string> = {};
    for (const name of Object.keys(options.desired)) paths[name] = await resolveSafePath(options.root, name);
    const { files, leftovers } = await listFiles(options.root);
    return { paths, existing: files, leftovers };
  },

  plan(world, options) {
    const actions: PlanAction<FileChange>[] = [];
    for (const [name, content] of Object.entries(options.desired).sort(([a], [b]) => a.localeCompare(b))) {
      const path = world.paths[name] as string;
      const current = world.existing.get(path);
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
    if (options.prune) {
      const wanted = new Set(Object.values(world.paths));
      for (const [path, current] of world.existing) {
        if (wanted.has(path)) continue;
        const name = relative(options.root, path);
        const id = `delete:${name}@${digest(current)}`;
        actions.push({ id, kind: 'delete', target: name, reason: 'not configured', details: { path } });
      }
    }
    for (const path of world.leftovers) {
      const name = relative(options.root, path);
      actions.push({
        id: `cleanup:${name}`,
        kind: 'delete',
        target: name,
        reason: 'temp file of a killed run',
        details: { path },
      });
    }
    return { actions, warnings: [], policy: { onError: 'continue', itemize: true }, info: null };
  },

  facts: (world) => Object.fromEntries([...world.existing].map(([path, content]) => [path, digest(content)])),

  open: (_world, options) => ({
    async apply(action, ctx) {
      const { path, content } = action.details as FileChange;
      if (options.actionDelayMs > 0) await sleep(options.actionDelayMs);
      if (options.failOn.includes(action.target))
        throw new PermanentError(`refusing to write ${action.target} (failOn)`);
      if (action.kind === 'delete') await rm(path, { force: true });
      else {
        await mkdir(dirname(path), { recursive: true });
        await atomicWriteFile(path, content ?? '', { mode: 0o644 });
      }
      ctx.logger.info({ path: action.target, kind: action.kind }, 'file written');
    },
    summary: (result) => {
      const resumed = result.alreadyDone ? `, ${result.alreadyDone} already done by an interrupted run` : '';
      return `Applied ${result.applied} change(s)${resumed}.`;
    },
  }),

  renderPlan: (plan, options, io) =>
    renderPlanHuman({
      cli: io.cli,
      command: io.command,
      environment: io.environment.name,
      target: options.root,
      ...plan,
    }),
  renderNoop: (_plan, summary) => renderSummaryLine(summary),
};

/** Short content digest for action ids; a prefix of sha256, never the content itself. */
function digest(content: string): string {
  return createHash('sha256').update(content).digest('hex').slice(0, 12);
}
