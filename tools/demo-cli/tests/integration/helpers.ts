/**
 * The demo CLI's own integration-test specifics. Everything generic (the BUILT CLI as a real child
 * process, temp workspaces, log lines, HTTP servers, file modes) is `@tempered/testkit`.
 */
import { defineCli, type Workspace } from '@tempered/testkit';

export const CLI = defineCli({
  name: 'tempered-demo',
  packageUrl: new URL('../../', import.meta.url),
  built: ['dist/commands/apply.js', '../../packages/core/dist/index.js'],
  buildHint: 'npx pnpm@10.34.9 build',
});
export const CLI_NAME = CLI.name;

/** A temp workspace of one test that runs tempered-demo. */
export function workspace(): Promise<Workspace> {
  return CLI.workspace();
}
