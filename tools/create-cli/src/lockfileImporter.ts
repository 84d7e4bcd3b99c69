/**
 * The generated package's entry in pnpm-lock.yaml, written here so that linking it needs no
 * resolution: every dependency it declares is one the workspace already locks (core's pins and
 * the workspace's own packages), so `pnpm install --frozen-lockfile` installs it from the store,
 * offline, on a machine whose pnpm has never fetched registry metadata.
 */
import { posix } from 'node:path';

export interface ImporterManifest {
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

type Locked = Map<string, string>; // `${name}@${specifier}` -> locked version

const IMPORTER = /^ {2}(\S.*):$/;
const DEPENDENCY = /^ {6}(\S.*):$/;
const FIELD = /^ {8}(specifier|version): (.*)$/;

/**
 * Returns the lockfile with an importer for `importerPath` (`packages/<name>`) added in pnpm's
 * order, or a reason when a dependency is not locked anywhere in the workspace yet (then only a
 * resolving install can link the package).
 */
export function addLockfileImporter(
  lockfile: string,
  importerPath: string,
  manifest: ImporterManifest,
  workspacePaths: ReadonlyMap<string, string>,
): { lockfile: string } | { reason: string } {
  const lines = lockfile.split('\n');
  const start = lines.indexOf('importers:');
  const end = lines.findIndex((line, i) => i > start && /^\S/.test(line));
  if (start < 0 || end < 0) return { reason: 'pnpm-lock.yaml has no importers section' };
  const section = lines.slice(start + 1, end);
  if (section.some((line) => IMPORTER.exec(line)?.[1] === importerPath))
    return { reason: `pnpm-lock.yaml already has an importer ${importerPath}` };

  const locked = lockedVersions(section);
  const block = [`  ${importerPath}:`];
  for (const kind of ['dependencies', 'devDependencies'] as const) {
    const entries = Object.entries(manifest[kind] ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    if (entries.length === 0) continue;
    block.push(`    ${kind}:`);
    for (const [name, specifier] of entries) {
      const version = specifier.startsWith('workspace:')
        ? workspaceLink(importerPath, workspacePaths.get(name))
        : locked.get(`${name}@${specifier}`);
      if (version === undefined) return { reason: `no importer of the workspace locks ${name}@${specifier}` };
      block.push(`      ${yamlKey(name)}:`, `        specifier: ${specifier}`, `        version: ${version}`);
    }
  }

  // importers are blank-line separated and sorted by path, as pnpm writes them
  let insertAt = end;
  for (let i = 0; i < section.length; i++) {
    const path = IMPORTER.exec(section[i] as string)?.[1];
    if (path !== undefined && unquote(path) > importerPath) {
      insertAt = start + 1 + i;
      break;
    }
  }
  return { lockfile: [...lines.slice(0, insertAt), ...block, '', ...lines.slice(insertAt)].join('\n') };
}

function lockedVersions(section: string[]): Locked {
  const locked: Locked = new Map();
  let name: string | undefined;
  let specifier: string | undefined;
  for (const line of section) {
    const dependency = DEPENDENCY.exec(line);
    if (dependency) {
      name = unquote(dependency[1] as string);
      specifier = undefined;
      continue;
    }
    const field = FIELD.exec(line);
    if (!field || name === undefined) continue;
    if (field[1] === 'specifier') specifier = unquote(field[2] as string);
    else if (specifier !== undefined && !locked.has(`${name}@${specifier}`))
      locked.set(`${name}@${specifier}`, field[2] as string);
  }
  return locked;
}

function workspaceLink(from: string, to: string | undefined): string | undefined {
  return to === undefined ? undefined : `link:${posix.relative(from, to)}`;
}

function yamlKey(name: string): string {
  return name.startsWith('@') ? `'${name}'` : name;
}

function unquote(value: string): string {
  return value.replace(/^'(.*)'$/, '$1');
}
