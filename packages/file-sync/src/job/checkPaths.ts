import { homedir } from 'node:os';
import { realpathDeepest, UsageError } from '@tempered/core';
import type { SyncOptions } from '../options.js';
import { checkRoots, rootKind } from '../safety/checkRoots.js';
import { checkWritable } from '../safety/checkWritable.js';

/** SOURCE and DESTINATION pass every check that needs no scan, before any lock or listing. */
export async function checkPaths(options: SyncOptions): Promise<void> {
  if ((await rootKind(options.source)) === 'other') {
    throw new UsageError(`source ${JSON.stringify(options.source)} is not a directory`, {
      hint: 'pass a directory as SOURCE: its contents are synced into DESTINATION',
    });
  }
  if ((await rootKind(options.destination)) === 'other') {
    throw new UsageError(`destination ${JSON.stringify(options.destination)} exists and is not a directory`, {
      hint: 'pass a directory (or a path to create) as DESTINATION',
    });
  }
  checkWritable(options.destination);
  checkRoots({
    source: await realpathDeepest(options.source),
    destination: await realpathDeepest(options.destination),
    home: await realpathDeepest(homedir()),
    delete: options.delete,
  });
}
