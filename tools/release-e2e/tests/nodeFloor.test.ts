/**
 * Every CLI, started by a Node older than the floor, says so in one line and exits 2 before it
 * loads anything. `.ci/run` hands the old Node in as TEMPERED_OLD_NODE (a pinned Node 20 from the
 * npm package `node`); elsewhere the test says how to run it.
 */
import { spawnSync } from 'node:child_process';
import { realpathSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isBelowNodeFloor, NODE_FLOOR } from '@tempered/core/launch';
import { cliPackages, findWorkspaceRoot } from '@tempered/registry';
import { describe, expect, it } from 'vitest';

const ROOT = findWorkspaceRoot(fileURLToPath(import.meta.url));
const OLD_NODE = process.env.TEMPERED_OLD_NODE;
const CLIS = await cliPackages(ROOT);

function nodeVersion(node: string): string {
  return spawnSync(node, ['--version'], { encoding: 'utf8' }).stdout.trim();
}

describe.skipIf(!OLD_NODE)('on a Node.js older than the floor (set TEMPERED_OLD_NODE to one)', () => {
  const node = OLD_NODE as string;

  it('the old Node really is older than the floor', () => {
    expect(isBelowNodeFloor(nodeVersion(node)), `${nodeVersion(node)} against ${NODE_FLOOR}`).toBe(true);
  });

  it.each(CLIS.map((p) => [p.bin!, p] as const))('%s refuses in one line, exit 2', (bin, pkg) => {
    for (const args of [['--version'], ['--help'], ['stats', '--json']]) {
      const run = spawnSync(node, [join(pkg.dir, 'bin', 'run.cjs'), ...args], {
        encoding: 'utf8',
        timeout: 30_000,
      });
      const version = nodeVersion(node).replace(/^v/, '');
      // the binary as Node reports it (process.execPath, links resolved)
      const binary = realpathSync(node);
      expect(run.stderr).toBe(`${bin}: Tempered needs Node.js >= 22.12; this is ${version} (${binary})\n`);
      expect(run.stdout).toBe('');
      expect(run.status).toBe(2);
    }
  });
});
