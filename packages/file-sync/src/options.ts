import { isAbsolute, join, resolve } from 'node:path';
import type { Interfaces } from '@oclif/core';
import { UsageError } from '@tempered/core';
import type { syncFlags } from './flags.js';
import { DEFAULT_CONCURRENCY, DEFAULT_MAX_DELETE, type SyncSection } from './section.js';
import type { SymlinkModeValue } from './tree/scanTree.js';

/** Everything one sync run needs to know, after flags over config over defaults. */
export interface SyncOptions {
  /** Absolute. */
  source: string;
  /** Absolute. */
  destination: string;
  delete: boolean;
  maxDelete: number;
  include: string[];
  exclude: string[];
  checksum: boolean;
  symlinks: SymlinkModeValue;
  concurrency: number;
  fsync: boolean;
  allowEmptySource: boolean;
}

/** The command's own flags as oclif parsed them; `undefined` or absent = not given. */
export type SyncFlags = Partial<Interfaces.InferredFlags<typeof syncFlags>>;

export interface ResolveInput {
  args: { source?: string | undefined; destination?: string | undefined };
  flags: SyncFlags;
  section: SyncSection;
  cwd: string;
  home: string;
  /** Directory of the config file: relative paths from the file are relative to it, not to cwd. */
  configDir?: string | undefined;
}

const REMOTE = /^[a-z][a-z0-9+.-]*:\/\//i;

/** Flags override the config section, which overrides the defaults. Pure. */
export function resolveSyncOptions(input: ResolveInput): SyncOptions {
  const { args, flags, section } = input;
  const path = (what: 'source' | 'destination', position: string) => {
    const fromArg = args[what];
    const fromConfig = section[what];
    const raw = fromArg ?? fromConfig;
    if (raw === undefined) {
      throw new UsageError(`no ${what.toUpperCase()} given`, {
        hint: `pass it as the ${position} argument, or set file-sync.${what} in the config (top level or per environment)`,
      });
    }
    if (REMOTE.test(raw)) {
      throw new UsageError(`${what} ${JSON.stringify(raw)}: only local paths are supported so far`, {
        hint: 'sync to a local directory (or a mounted one); remote destinations are not built yet',
      });
    }
    const expanded = expandHome(raw, input.home);
    const base = fromArg === undefined && input.configDir ? input.configDir : input.cwd;
    return isAbsolute(expanded) ? resolve(expanded) : resolve(base, expanded);
  };
  return {
    source: path('source', 'first'),
    destination: path('destination', 'second'),
    delete: flags.delete ?? section.delete ?? false,
    maxDelete: flags['max-delete'] ?? section.maxDelete ?? DEFAULT_MAX_DELETE,
    include: flags.include ?? section.include ?? [],
    exclude: flags.exclude ?? section.exclude ?? [],
    checksum: flags.checksum ?? section.checksum ?? false,
    symlinks: flags.symlinks ?? section.symlinks ?? 'preserve',
    concurrency: flags.concurrency ?? section.concurrency ?? DEFAULT_CONCURRENCY,
    fsync: flags.fsync ?? section.fsync ?? false,
    allowEmptySource: flags['allow-empty-source'] ?? section.allowEmptySource ?? false,
  };
}

function expandHome(path: string, home: string): string {
  if (path === '~') return home;
  if (path.startsWith('~/')) return join(home, path.slice(2));
  return path;
}
