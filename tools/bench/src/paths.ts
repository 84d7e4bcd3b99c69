import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { packageBin } from '@tempered/testkit';

export const benchDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const workspaceDir = resolve(benchDir, '../..');

export interface CliUnderTest {
  name: string;
  bin: string;
}

/** The built CLIs of the workspace; a CLI not built yet is simply not benchmarked. */
export function builtClis(): CliUnderTest[] {
  const candidates = [
    { name: 'file-sync', dir: 'packages/file-sync' },
    { name: 'deploy', dir: 'packages/deploy' },
    { name: 'resource-cleanup', dir: 'packages/resource-cleanup' },
    { name: 'tempered-demo', dir: 'tools/demo-cli' },
  ];
  return candidates
    .filter((c) => existsSync(join(workspaceDir, c.dir, 'dist')))
    .map((c) => ({
      name: c.name,
      bin: join(workspaceDir, c.dir, packageBin(join(workspaceDir, c.dir, 'package.json'))),
    }));
}
