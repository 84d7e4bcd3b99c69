import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { atomicWriteFile } from '@tempered/core';
import { workspacePackages } from '@tempered/registry';
import { addLockfileImporter, type ImporterManifest } from './lockfileImporter.js';
import { assertCliName, CreateCliError } from './names.js';
import { type CorePackageJson, cliPackageJson, pluginVersions } from './packageJson.js';

/** `../template/`: the same directory whether this module runs from dist/ or, in tests, from src/. */
export const TEMPLATE_DIR = fileURLToPath(new URL('../template/', import.meta.url));

export interface ScaffoldOptions {
  /** The workspace root (holds pnpm-workspace.yaml and packages/core). */
  root: string;
  name: string;
  description?: string;
}

export interface ScaffoldResult {
  /** packages/<name>, absolute. */
  dir: string;
  packageName: string;
  /** Every file written, relative to the workspace root, sorted. */
  files: string[];
  /** Why pnpm-lock.yaml could not be given the package's importer (then linking must resolve). */
  unlocked?: string;
}

/**
 * Writes packages/<name> from the template, its package.json, and a changeset announcing it.
 * Refuses (CreateCliError, nothing written) a bad name, an existing directory or package name.
 */
export async function scaffoldCli(options: ScaffoldOptions): Promise<ScaffoldResult> {
  const { root, name } = options;
  assertCliName(name);
  const packageName = `@tempered/${name}`;
  const dir = join(root, 'packages', name);
  if (existsSync(dir)) throw new CreateCliError(`packages/${name} already exists: pick another name`);
  const packages = await workspacePackages(root);
  const taken = packages.find((p) => p.name === packageName || p.bin === name);
  if (taken) throw new CreateCliError(`${taken.path} already provides ${packageName} or the command ${name}`);

  const core = JSON.parse(
    await readFile(join(root, 'packages', 'core', 'package.json'), 'utf8'),
  ) as CorePackageJson;
  const description =
    options.description ??
    `${name}: a hardened automation CLI on @tempered/core (plan, then apply; safe to re-run)`;
  const values: Record<string, string> = {
    __CLI__: name,
    __PACKAGE__: packageName,
    __DESCRIPTION__: description,
  };

  // before anything is written: a version it cannot pin leaves no half-made package behind
  const plugins = pluginVersions(packages.filter((p) => p.bin !== undefined).map((p) => p.manifest));
  const manifest = cliPackageJson({ name, description, core, plugins });

  const written: string[] = [];
  const write = async (path: string, content: string, mode = 0o644) => {
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, content, { mode, flag: 'wx' });
    written.push(relative(root, path).split(sep).join('/'));
  };

  for (const template of await templateFiles()) {
    const target = join(dir, template.slice(0, -'.tpl'.length));
    const content = render(await readFile(join(TEMPLATE_DIR, template), 'utf8'), values);
    await write(target, content, template.startsWith(`bin${sep}`) ? 0o755 : 0o644);
  }
  await write(join(dir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  await write(
    join(root, '.changeset', `${name}-initial.md`),
    `---\n"${packageName}": minor\n---\n\nAdd ${packageName}: ${description}\n`,
  );
  const locked = await lockImporter(root, `packages/${name}`, manifest as ImporterManifest);
  if (locked === undefined) written.push('pnpm-lock.yaml');
  return { dir, packageName, files: written.sort(), ...(locked ? { unlocked: locked } : {}) };
}

/** Adds the package's importer to pnpm-lock.yaml (atomically); returns why not when it cannot. */
async function lockImporter(
  root: string,
  importerPath: string,
  manifest: ImporterManifest,
): Promise<string | undefined> {
  const file = join(root, 'pnpm-lock.yaml');
  const current = await readFile(file, 'utf8').catch(() => undefined);
  if (current === undefined) return 'the workspace has no pnpm-lock.yaml';
  const paths = new Map((await workspacePackages(root)).map((p) => [p.name, p.path]));
  const result = addLockfileImporter(current, importerPath, manifest, paths);
  if ('reason' in result) return result.reason;
  await atomicWriteFile(file, result.lockfile, { mode: 0o644 });
  return undefined;
}

/** Replaces every `__KEY__` placeholder; a placeholder left over is a template bug. */
export function render(template: string, values: Record<string, string>): string {
  let out = template;
  for (const [key, value] of Object.entries(values)) out = out.replaceAll(key, value);
  const left = /__[A-Z]+__/.exec(out);
  if (left) throw new Error(`template placeholder ${left[0]} has no value`);
  return out;
}

/** The template's files, relative to TEMPLATE_DIR: every `*.tpl`. */
async function templateFiles(): Promise<string[]> {
  const entries = await readdir(TEMPLATE_DIR, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile() && entry.name.endsWith('.tpl'))
    .map((entry) => relative(TEMPLATE_DIR, join(entry.parentPath, entry.name)))
    .sort();
}
