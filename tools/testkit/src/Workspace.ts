/**
 * A temp directory of one test: HOME and the XDG state, config and cache homes point inside it, the
 * CLI runs with it as its working directory and a clean environment, and it is removed (after any
 * process still running is killed) when the test finishes.
 */

import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { CliProcess, type CliResult, cleanEnv } from './CliProcess.js';
import { closeWhenTestFinishes } from './closeWhenTestFinishes.js';

/** The CLI a workspace runs: its built bin and its name (the state directory's name under `tempered/`). */
export interface CliSpec {
  bin: string;
  name: string;
}

/**
 * Opt-in: a PostgreSQL server URL (set by postgresGlobalSetup for a whole test run). With it every
 * CLI this workspace starts keeps its state there instead of in files under the workspace.
 */
export const TEST_STATE_URL_VARIABLE = 'TEMPERED_TEST_STATE_URL';

/** True when this test run keeps CLI state on PostgreSQL (see TEST_STATE_URL_VARIABLE). */
export function stateOnPostgres(): boolean {
  return Boolean(process.env[TEST_STATE_URL_VARIABLE]);
}

/** Why a test that reads files under the state directory cannot run on the PostgreSQL backend. */
export const READS_STATE_FILES =
  'reads files under the state directory, which the PostgreSQL backend does not write';

export interface WorkspaceOptions {
  /** The temp directory's name prefix, e.g. `file-sync-it-`. */
  prefix?: string;
  /** The CLI `start` and `run` launch; without it they throw. */
  cli?: CliSpec;
}

export interface RunOptions {
  /** Extra environment variables for this run, on top of the workspace's clean set. */
  env?: Record<string, string>;
  cwd?: string;
}

export class Workspace {
  /** Every process started in this workspace, killed at clean-up if still running. */
  readonly processes: CliProcess[] = [];

  /**
   * On PostgreSQL: this workspace's own schema, so tests stay isolated from each other as their
   * temp directories are (the backend creates it, with its tables, on first use).
   */
  readonly stateSchema: string | undefined = stateOnPostgres()
    ? `ws_${randomBytes(8).toString('hex')}`
    : undefined;

  private constructor(
    readonly root: string,
    readonly cli: CliSpec | undefined,
  ) {}

  /** Creates the workspace; it cleans itself up when the current test finishes. */
  static async create(options: WorkspaceOptions = {}): Promise<Workspace> {
    const root = await mkdtemp(join(tmpdir(), options.prefix ?? 'tempered-it-'));
    const ws = new Workspace(root, options.cli);
    await mkdir(ws.home, { recursive: true });
    closeWhenTestFinishes(() => ws.cleanup());
    return ws;
  }

  get home(): string {
    return join(this.root, 'home');
  }

  /** XDG_STATE_HOME; the CLI creates it on its first write. */
  get stateHome(): string {
    return join(this.root, 'state');
  }

  /** `$XDG_STATE_HOME/tempered/<cli>/<environment>`. */
  stateDir(environment = 'default'): string {
    return join(this.stateHome, 'tempered', this.#cli().name, environment);
  }

  path(...parts: string[]): string {
    return join(this.root, ...parts);
  }

  /**
   * `cleanEnv()` with HOME and the XDG directories inside the workspace (and, on PostgreSQL, the
   * state URL and this workspace's schema), then `extra`.
   */
  env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
    const url = process.env[TEST_STATE_URL_VARIABLE];
    return cleanEnv({
      HOME: this.home,
      XDG_STATE_HOME: this.stateHome,
      XDG_CONFIG_HOME: join(this.root, 'config-home'),
      // the launcher's V8 code cache: beside HOME, so a test of what a run writes under HOME sees only the run's writes
      XDG_CACHE_HOME: join(this.root, 'cache-home'),
      ...(url && this.stateSchema
        ? { TEMPERED_STATE_URL: url, TEMPERED_STATE_SCHEMA: this.stateSchema }
        : {}),
      ...extra,
    });
  }

  /** Writes a config file (JSON, a valid Tempered config format) and returns its path. */
  async writeConfig(name: string, config: unknown): Promise<string> {
    return this.writeFile(name, `${JSON.stringify(config, null, 2)}\n`);
  }

  async writeFile(name: string, content: string): Promise<string> {
    const path = this.path(name);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, content);
    return path;
  }

  /** Starts the CLI in the workspace. */
  start(args: string[], options: RunOptions = {}): CliProcess {
    return this.#track(
      new CliProcess(process.execPath, [this.#cli().bin, ...args], {
        cwd: options.cwd ?? this.root,
        env: this.env(options.env),
      }),
    );
  }

  /** Runs the CLI in the workspace to its end. */
  run(args: string[], options: RunOptions = {}): Promise<CliResult> {
    return this.start(args, options).exit;
  }

  /** Runs any command (not the CLI) with this workspace's environment; resolves when it exits. */
  runCommand(command: string, args: string[], options: RunOptions = {}): Promise<CliResult> {
    return this.#track(
      new CliProcess(command, args, { cwd: options.cwd ?? this.root, env: this.env(options.env) }),
    ).exit;
  }

  /** Run records of one environment, oldest first. */
  async runRecords(environment = 'default'): Promise<Record<string, unknown>[]> {
    const dir = join(this.stateDir(environment), 'runs');
    const names = (await readdir(dir)).filter((name) => name.endsWith('.json')).sort();
    return Promise.all(names.map(async (name) => JSON.parse(await readFile(join(dir, name), 'utf8'))));
  }

  async cleanup(): Promise<void> {
    for (const child of this.processes) await child.stop();
    await rm(this.root, { recursive: true, force: true });
  }

  #track(child: CliProcess): CliProcess {
    this.processes.push(child);
    return child;
  }

  #cli(): CliSpec {
    if (this.cli === undefined) throw new Error('this workspace has no CLI: pass `cli` to tempWorkspace()');
    return this.cli;
  }
}

/** A temp workspace for one test (see `Workspace`). */
export function tempWorkspace(options: WorkspaceOptions = {}): Promise<Workspace> {
  return Workspace.create(options);
}
