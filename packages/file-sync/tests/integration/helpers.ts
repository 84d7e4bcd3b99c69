/**
 * file-sync's own integration-test specifics (trees are in `trees.ts`). Everything generic (the
 * BUILT CLI as a real child process, temp workspaces, log lines) is `@tempered/testkit`.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type CliResult, defineCli, type Workspace } from '@tempered/testkit';

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

/** An unprivileged uid/gid (nobody) for what root may do and a user may not. */
export const USER = { uid: 65534, gid: 65534 };

/**
 * Hands the workspace over to USER: everything in it, HOME and the state directory included,
 * but `rootOwned`. chown clears setuid/setgid bits: set those after the hand-over.
 */
export async function handOver(ws: Workspace, rootOwned: string[] = []): Promise<void> {
  const chown = async (owner: string, paths: string[]) => {
    if (paths.length === 0) return;
    const result = await ws.runCommand('chown', ['-R', '-h', owner, ...paths]);
    if (result.code !== 0) throw new Error(`chown -R ${owner}: ${result.stderr}`);
  };
  await chown(`${USER.uid}:${USER.gid}`, [ws.root]);
  await chown('0:0', rootOwned);
}

/** Runs the built CLI as USER (setpriv), after a hand-over of the workspace unless told not to. */
export async function runAsUser(
  ws: Workspace,
  args: string[],
  options: { rootOwned?: string[]; handOver?: boolean } = {},
): Promise<CliResult> {
  if (options.handOver !== false) await handOver(ws, options.rootOwned);
  return ws.runCommand('setpriv', [
    `--reuid=${USER.uid}`,
    `--regid=${USER.gid}`,
    '--clear-groups',
    process.execPath,
    CLI.bin,
    ...args,
  ]);
}
