/**
 * A temp copy of the workspace that goes through the release path: install (offline, from the
 * pnpm store the real install filled), `changeset version`, build, publish to a local registry.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { delimiter, dirname, join } from 'node:path';
import {
  cleanEnv,
  copyAndInstallWorkspace,
  type ExecResult,
  exec,
  pnpmCommand,
  publicPackages,
  type Registry,
  type WorkspacePackage,
} from '@tempered/registry';

export type Bump = 'major' | 'minor' | 'patch';

export class ReleaseWorkspace {
  private constructor(
    readonly root: string,
    readonly pnpm: string,
    /** npm and pnpm pointed at the registry (scope mapping + TEMPERED_REGISTRY), own cache. */
    readonly env: NodeJS.ProcessEnv,
  ) {}

  /** Copies `source` to `<tmp>/ws` and installs it offline. */
  static async create(source: string, tmp: string, registry: Registry): Promise<ReleaseWorkspace> {
    const root = join(tmp, 'ws');
    await copyAndInstallWorkspace(source, root);
    const pnpm = await pnpmCommand(source);
    const userconfig = await registry.writeNpmrc(join(tmp, 'npmrc'));
    const env = cleanEnv({
      // changesets runs `pnpm publish`: the pnpm this suite uses must be the first on PATH
      PATH: [dirname(pnpm), process.env.PATH].join(delimiter),
      npm_config_userconfig: userconfig,
      npm_config_cache: join(tmp, 'npm-cache'),
      TEMPERED_REGISTRY: registry.url,
    });
    return new ReleaseWorkspace(root, pnpm, env);
  }

  pnpmRun(args: string[], env: NodeJS.ProcessEnv = this.env): Promise<ExecResult> {
    return exec(this.pnpm, args, { cwd: this.root, env, timeoutMs: 300_000 });
  }

  async pnpmOk(args: string[], env: NodeJS.ProcessEnv = this.env): Promise<ExecResult> {
    const result = await this.pnpmRun(args, env);
    if (result.code !== 0) {
      throw new Error(
        `pnpm ${args.join(' ')} exited ${result.code ?? result.signal}\n--- stdout\n${result.stdout.slice(-6000)}\n--- stderr\n${result.stderr.slice(-6000)}`,
      );
    }
    return result;
  }

  packages(): Promise<WorkspacePackage[]> {
    return publicPackages(this.root);
  }

  /** Writes a changeset (as `pnpm changeset` would) and runs `pnpm changeset version`. */
  async version(name: string, bumps: Record<string, Bump>, summary: string): Promise<ExecResult> {
    const header = Object.entries(bumps)
      .map(([pkg, bump]) => `"${pkg}": ${bump}`)
      .join('\n');
    await mkdir(join(this.root, '.changeset'), { recursive: true });
    await writeFile(join(this.root, '.changeset', `${name}.md`), `---\n${header}\n---\n\n${summary}\n`);
    return this.pnpmOk(['changeset', 'version']);
  }

  /** Builds what gets published (tsc, oclif manifest, command reference), dependencies first. */
  build(): Promise<ExecResult> {
    return this.pnpmOk(['-r', '--filter', './packages/*', 'run', 'build']);
  }

  /** The release workflow's publish step: the guard, then `changeset publish` (no git here). */
  publish(env: NodeJS.ProcessEnv = this.env): Promise<ExecResult> {
    return this.pnpmRun(['publish-packages', '--no-git-tag'], env);
  }

  async readJson(path: string): Promise<Record<string, unknown>> {
    return JSON.parse(await readFile(join(this.root, path), 'utf8')) as Record<string, unknown>;
  }
}
