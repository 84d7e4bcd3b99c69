import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { EntryKind } from './entryKind.js';

/**
 * Links followed in one resolution before it counts as a loop: Linux's MAXSYMLINKS, so a
 * chain the kernel would follow is accepted and one it answers ELOOP to is refused.
 */
export const MAX_LINK_HOPS = 40;

interface DirNode {
  kind: 'directory';
  /** Undefined for the release root. */
  parent: DirNode | undefined;
  children: Map<string, Node>;
}

interface FileNode {
  kind: 'file';
}

interface LinkNode {
  kind: 'symlink';
  /** The member that created it, as stored: for messages. */
  member: string;
  target: string;
  /** A symlink resolves from the directory that holds it. */
  parent: DirNode;
}

type Node = DirNode | FileNode | LinkNode;

/**
 * Where a walk stands: a directory of the release, plus how many names deep it went below it
 * into names the release does not hold (missing, or files). Those are treated as directories
 * that may appear later (the app, a hook, a shared link can create them), so only their count
 * matters: each `..` climbs one of them back before it climbs a real directory.
 */
interface Position {
  dir: DirNode;
  beyond: number;
}

type Resolution = { ok: true; at: Position; hops: number } | { ok: false; why: 'outside' | 'loop' };

export interface LinkProblem {
  member: string;
  problem: string;
}

/** Resolutions between two yields to the event loop: a signal must never wait on a long check. */
const LINKS_PER_SLICE = 1_000;

/**
 * The tree an artifact leaves in its release directory, built member by member as extraction
 * would build it (later members replace earlier ones, a hard link to a symlink is a second
 * symlink), so every symlink can be resolved the way the kernel will resolve it: through the
 * other links of the release, `..` included, with a bounded number of hops.
 */
export class ReleaseTree {
  readonly #root: DirNode = { kind: 'directory', parent: undefined, children: new Map() };

  /**
   * Adds one member (its path normalized, checked by checkEntry). Returns why the member cannot
   * be placed, or undefined.
   */
  add(
    member: string,
    normalized: string,
    kind: Exclude<EntryKind, 'other'>,
    linkpath = '',
  ): string | undefined {
    const parts = normalized === '' ? [] : normalized.split('/');
    const name = parts.pop();
    if (name === undefined) {
      return kind === 'directory' ? undefined : `is a ${kind} in place of the release directory itself`;
    }
    let dir = this.#root;
    for (const [index, part] of parts.entries()) {
      const child = dir.children.get(part);
      if (child === undefined) {
        // extraction creates missing parents as directories
        const created: DirNode = { kind: 'directory', parent: dir, children: new Map() };
        dir.children.set(part, created);
        dir = created;
      } else if (child.kind === 'directory') {
        dir = child;
      } else {
        const at = parts.slice(0, index + 1).join('/');
        return `lies below "${at}", which is a ${child.kind === 'file' ? 'file' : 'symlink'}, not a directory`;
      }
    }
    const existing = dir.children.get(name);
    if (kind === 'directory') {
      if (existing?.kind !== 'directory') {
        dir.children.set(name, { kind: 'directory', parent: dir, children: new Map() });
      }
      return undefined;
    }
    if (existing?.kind === 'directory' && existing.children.size > 0) {
      return `replaces the directory "${normalized}", which holds other members`;
    }
    if (kind === 'file') {
      dir.children.set(name, { kind: 'file' });
      return undefined;
    }
    if (kind === 'symlink') {
      dir.children.set(name, { kind: 'symlink', member, target: linkpath, parent: dir });
      return undefined;
    }
    const target = this.#lookup(linkpath);
    if (typeof target === 'string') return target;
    if (target.kind === 'directory') return `is a hard link to the directory "${linkpath}"`;
    // link(2) does not follow a symlink it links to: the new name is a symlink with the same
    // text, which resolves from ITS directory and may lead somewhere else entirely
    dir.children.set(
      name,
      target.kind === 'symlink' ? { kind: 'symlink', member, target: target.target, parent: dir } : target,
    );
    return undefined;
  }

  /** A hard link's target as it stands now: an earlier member, reached without following a symlink. */
  #lookup(linkpath: string): Node | string {
    let node: Node = this.#root;
    const parts = linkpath.split('/').filter((part) => part !== '' && part !== '.');
    for (const [index, part] of parts.entries()) {
      if (node.kind !== 'directory') {
        const at = parts.slice(0, index).join('/');
        return node.kind === 'symlink'
          ? `is a hard link through the symlink "${at}"`
          : `is a hard link below the file "${at}"`;
      }
      const child: Node | undefined = node.children.get(part);
      if (child === undefined) return `is a hard link to "${linkpath}", which no earlier member created`;
      node = child;
    }
    return node;
  }

  /**
   * Resolves every symlink of the finished tree to its final target; the first one that leads
   * outside the release, or does not resolve within MAX_LINK_HOPS links, is returned.
   */
  async firstEscape(): Promise<LinkProblem | undefined> {
    const memo = new Map<LinkNode, Resolution | 'resolving'>();
    let sinceYield = 0;
    for (const link of this.#links()) {
      const result = this.#resolve(link, memo, 0);
      if (!result.ok) {
        return {
          member: link.member,
          problem:
            result.why === 'outside'
              ? `is a symlink whose chain of links leads outside the release (${link.target})`
              : `is a symlink that does not resolve: a loop, or more than ${MAX_LINK_HOPS} links in its chain (${link.target})`,
        };
      }
      if (++sinceYield === LINKS_PER_SLICE) {
        sinceYield = 0;
        await yieldToEventLoop();
      }
    }
    return undefined;
  }

  *#links(): Generator<LinkNode> {
    const pending: DirNode[] = [this.#root];
    for (let dir = pending.pop(); dir !== undefined; dir = pending.pop()) {
      for (const child of dir.children.values()) {
        if (child.kind === 'symlink') yield child;
        else if (child.kind === 'directory') pending.push(child);
      }
    }
  }

  /**
   * A link's final target, memoized: it depends only on the link and the tree, never on how
   * the walk got there. `depth` counts the links being resolved around this one: each adds a
   * hop, so past MAX_LINK_HOPS the chain is refused without resolving further (and without
   * deep recursion). Only successes are kept; the first failure ends the check anyway.
   */
  #resolve(link: LinkNode, memo: Map<LinkNode, Resolution | 'resolving'>, depth: number): Resolution {
    const known = memo.get(link);
    if (known === 'resolving') return { ok: false, why: 'loop' };
    if (known !== undefined) return known;
    if (depth >= MAX_LINK_HOPS) return { ok: false, why: 'loop' };
    memo.set(link, 'resolving');
    const result = this.#walk({ dir: link.parent, beyond: 0 }, link.target, memo, depth);
    if (result.ok) memo.set(link, result);
    else memo.delete(link);
    return result;
  }

  #walk(
    from: Position,
    path: string,
    memo: Map<LinkNode, Resolution | 'resolving'>,
    depth: number,
  ): Resolution {
    if (path.startsWith('/')) return { ok: false, why: 'outside' };
    let { dir, beyond } = from;
    let hops = 1;
    for (const part of path.split('/')) {
      if (part === '' || part === '.') continue;
      if (part === '..') {
        if (beyond > 0) beyond -= 1;
        else if (dir.parent === undefined) return { ok: false, why: 'outside' };
        else dir = dir.parent;
        continue;
      }
      const child = beyond > 0 ? undefined : dir.children.get(part);
      if (child?.kind === 'directory') {
        dir = child;
      } else if (child?.kind === 'symlink') {
        const followed = this.#resolve(child, memo, depth + 1);
        if (!followed.ok) return followed;
        hops += followed.hops;
        if (hops > MAX_LINK_HOPS) return { ok: false, why: 'loop' };
        ({ dir, beyond } = followed.at);
      } else {
        beyond += 1;
      }
    }
    return { ok: true, at: { dir, beyond }, hops };
  }
}
