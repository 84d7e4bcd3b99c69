/**
 * file-sync's own integration-test specifics (trees are in `trees.ts`). Everything generic (the
 * BUILT CLI as a real child process, temp workspaces, log lines) is `@tempered/testkit`.
 */
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
