/**
 * file-sync's own integration-test specifics (trees are in `trees.ts`). Everything generic (the
 * BUILT CLI as a real child process, temp workspaces, log lines) is `@tempered/testkit`.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { defineCli, type Workspace } from '@tempered/testkit';

export const CLI = defineCli({
  name: 'file-sync',
  packageUrl: new URL('../../', import.meta.url),
  built: ['dist/commands/sync.js', '../core/dist/index.js'],
  buildHint: 'npx pnpm@10.34.9 build',
});
export const CLI_NAME = CLI.name;
export const CLI_BIN = CLI.bin;

/** A temp workspace of one test that runs file-sync. */
export function workspace(): Promise<Workspace> {
  return CLI.workspace();
}

/**
 * The temp tags that runs recorded in the journal of `environment` (see src/tree/tempName.ts):
 * those whose temp files a later run removes.
 */
export async function recordedTempTags(ws: Workspace, environment = 'default'): Promise<string[]> {
  const dir = join(ws.stateDir(environment), 'journals');
  const tags: string[] = [];
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    if (!name.endsWith('.jsonl')) continue;
    for (const line of (await readFile(join(dir, name), 'utf8')).split('\n')) {
      const step = line === '' ? undefined : (JSON.parse(line) as { step?: string }).step;
      if (step?.startsWith('temp-files:')) tags.push(step.slice('temp-files:'.length));
    }
  }
  return tags;
}
