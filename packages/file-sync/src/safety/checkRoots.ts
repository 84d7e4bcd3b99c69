import { stat } from 'node:fs/promises';
import { parse } from 'node:path';
import { isInside, UsageError } from '@tempered/core';

export interface RootFacts {
  /** Real paths (symlinks resolved), so `/data -> /` is seen as `/`. */
  source: string;
  destination: string;
  home: string | undefined;
  delete: boolean;
}

/**
 * Refuses roots that would copy a tree into itself (always), and with --delete, destinations
 * where deleting "what the source lacks" is a catastrophe: `/`, the home directory, or a
 * directory that contains the source. Pure: the caller resolves the real paths.
 */
export function checkRoots(facts: RootFacts): void {
  const { source, destination } = facts;
  const refuse = (why: string, hint: string) =>
    new UsageError(`refusing destination ${JSON.stringify(destination)}: ${why}`, { hint });
  if (destination === source) {
    throw refuse('it is the source itself', 'pass a DESTINATION different from SOURCE');
  }
  if (isInside(source, destination)) {
    throw refuse(
      `it is inside the source ${JSON.stringify(source)}, so every run would copy the last copy`,
      'pass a DESTINATION outside SOURCE (or exclude it and sync a parent elsewhere)',
    );
  }
  if (!facts.delete) return;
  const deleteHint = 'pick a dedicated destination directory for --delete, or drop --delete';
  if (destination === parse(destination).root)
    throw refuse('it is the filesystem root, with --delete', deleteHint);
  if (facts.home !== undefined && destination === facts.home) {
    throw refuse('it is the home directory, with --delete', deleteHint);
  }
  if (isInside(destination, source)) {
    throw refuse(
      `it contains the source ${JSON.stringify(source)}, with --delete`,
      'pass a DESTINATION that does not contain SOURCE',
    );
  }
}

/** What a root is on disk: missing, a directory, or something else (an error for the caller). */
export async function rootKind(path: string): Promise<'missing' | 'directory' | 'other'> {
  try {
    return (await stat(path)).isDirectory() ? 'directory' : 'other';
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'missing';
    throw error;
  }
}
