import { createHash } from 'node:crypto';
import type { PlanAction } from '@tempered/core';

/** What one action carries from the plan to its apply: which file, and its content. */
export interface FileChange {
  /** Absolute path, already checked to lie inside the target. */
  path: string;
  content?: string;
}

export interface PlanInputs {
  /** Relative name -> content wanted, with the absolute path each resolves to. */
  desired: { name: string; path: string; content: string }[];
  /** Relative name -> content found in the target now. */
  existing: Map<string, { path: string; content: string }>;
  prune: boolean;
}

/**
 * The plan, from inputs gathered beforehand: pure (no I/O, no clock), so the same code serves
 * --dry-run and the real run, and unit tests need no filesystem. Action ids name the change
 * (this file with this content), never the kind seen now: a write an interrupted run completed
 * re-plans as a skip under the same id, and new content is a new id.
 */
export function planFiles(inputs: PlanInputs): PlanAction<FileChange>[] {
  const actions: PlanAction<FileChange>[] = [];
  const wanted = new Set<string>();
  for (const { name, path, content } of [...inputs.desired].sort((a, b) => a.name.localeCompare(b.name))) {
    wanted.add(name);
    const current = inputs.existing.get(name)?.content;
    const kind = current === undefined ? 'create' : current === content ? 'skip' : 'update';
    const reason = kind === 'create' ? 'missing' : kind === 'update' ? 'content differs' : 'up to date';
    actions.push({
      id: `write:${name}@${digest(content)}`,
      kind,
      target: name,
      reason,
      details: { path, content },
    });
  }
  if (inputs.prune) {
    for (const [name, { path, content }] of [...inputs.existing].sort(([a], [b]) => a.localeCompare(b))) {
      if (wanted.has(name)) continue;
      actions.push({
        id: `delete:${name}@${digest(content)}`,
        kind: 'delete',
        target: name,
        reason: 'not configured',
        details: { path },
      });
    }
  }
  return actions;
}

/** A short content digest for action ids: a prefix of sha256, never the content itself. */
export function digest(content: string): string {
  return createHash('sha256').update(content).digest('hex').slice(0, 12);
}
