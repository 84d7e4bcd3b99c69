/**
 * resource-cleanup's own integration-test specifics. Everything generic (the BUILT CLI as a real
 * child process, temp workspaces, log lines, tree listings, HTTP fault servers) is `@tempered/testkit`.
 */
import { defineCli, type Workspace } from '@tempered/testkit';

export { ANSI, listTree, messages, type Workspace } from '@tempered/testkit';

export const CLI = defineCli({
  name: 'resource-cleanup',
  packageUrl: new URL('../../', import.meta.url),
  built: ['dist/commands/run.js', '../core/dist/index.js'],
  buildHint: 'npx pnpm@10.34.9 build',
});

/** A temp workspace of one test that runs resource-cleanup. */
export function workspace(): Promise<Workspace> {
  return CLI.workspace();
}
