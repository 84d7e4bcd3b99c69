import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findWorkspaceRoot } from '@tempered/registry';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { addLockfileImporter } from '../src/lockfileImporter.js';

const ROOT = findWorkspaceRoot(fileURLToPath(import.meta.url));
const LOCKFILE = readFileSync(join(ROOT, 'pnpm-lock.yaml'), 'utf8');
const CORE = JSON.parse(readFileSync(join(ROOT, 'packages', 'core', 'package.json'), 'utf8')) as {
  dependencies: Record<string, string>;
};
const PATHS = new Map([
  ['@tempered/core', 'packages/core'],
  ['@tempered/bundler', 'tools/bundler'],
]);

type Importers = Record<string, Record<string, Record<string, { specifier: string; version: string }>>>;

describe('addLockfileImporter, on the workspace’s own pnpm-lock.yaml', () => {
  const manifest = {
    dependencies: {
      zod: CORE.dependencies.zod as string,
      '@tempered/core': 'workspace:^',
      '@oclif/core': CORE.dependencies['@oclif/core'] as string,
    },
    devDependencies: { '@tempered/bundler': 'workspace:*' },
  };

  it('adds the importer with the versions the workspace already locks, and changes nothing else', () => {
    const result = addLockfileImporter(LOCKFILE, 'packages/nightly-report', manifest, PATHS);
    if (!('lockfile' in result)) throw new Error(result.reason);
    const before = parse(LOCKFILE) as { importers: Importers };
    const after = parse(result.lockfile) as { importers: Importers; packages: unknown };
    const core = before.importers['packages/core']?.dependencies;
    expect(after.importers['packages/nightly-report']).toEqual({
      dependencies: {
        '@oclif/core': core?.['@oclif/core'],
        '@tempered/core': { specifier: 'workspace:^', version: 'link:../core' },
        zod: core?.zod,
      },
      devDependencies: {
        '@tempered/bundler': { specifier: 'workspace:*', version: 'link:../../tools/bundler' },
      },
    });
    const { 'packages/nightly-report': _added, ...rest } = after.importers;
    expect(rest).toEqual(before.importers);
    expect(after.packages).toEqual((parse(LOCKFILE) as { packages: unknown }).packages);
  });

  it('puts it where pnpm would: importers sorted by path', () => {
    const result = addLockfileImporter(LOCKFILE, 'packages/nightly-report', manifest, PATHS);
    if (!('lockfile' in result)) throw new Error(result.reason);
    const paths = Object.keys((parse(result.lockfile) as { importers: Importers }).importers);
    expect(paths).toEqual([...paths].sort());
    expect(paths).toContain('packages/nightly-report');
  });

  it('gives a reason instead when a dependency is locked nowhere, or the importer exists', () => {
    expect(
      addLockfileImporter(LOCKFILE, 'packages/x', { dependencies: { 'left-pad': '1.3.0' } }, PATHS),
    ).toEqual({ reason: 'no importer of the workspace locks left-pad@1.3.0' });
    expect(addLockfileImporter(LOCKFILE, 'packages/core', manifest, PATHS)).toEqual({
      reason: 'pnpm-lock.yaml already has an importer packages/core',
    });
  });
});
