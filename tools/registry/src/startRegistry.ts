import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { npmrcFor } from './npmrc.js';
import { NPMJS, type VerdaccioConfigOptions } from './verdaccioConfig.js';

// `../dist/`: the same file whether this module runs from dist/ or, in tests, from src/
const SERVER = fileURLToPath(new URL('../dist/server.js', import.meta.url));

export interface StartRegistryOptions {
  /** Where storage and logs go; default a fresh temp dir, removed by `stop()`. */
  dir?: string;
  /** Default 127.0.0.1; the registry is for this machine only. */
  host?: string;
  /** Default 0: a free port picked by the kernel, so parallel registries never collide. */
  port?: number;
  /** Registry everything outside `@tempered` is proxied to (default npmjs); `false` for none. */
  upstream?: string | false;
  logLevel?: VerdaccioConfigOptions['logLevel'];
  /** How long to wait for the registry to answer (default 30 s). */
  startTimeoutMs?: number;
}

export interface Registry {
  /** `http://127.0.0.1:<port>/`, with the trailing slash npm writes. */
  readonly url: string;
  readonly dir: string;
  readonly pid: number;
  /** The .npmrc lines for this registry (scope mapping, default registry, placeholder token). */
  npmrc(): string;
  /** Writes `npmrc()` to `path` (for `npm_config_userconfig`) and returns the path. */
  writeNpmrc(path: string): Promise<string>;
  /** verdaccio's own log (JSON lines), for failure messages. */
  log(): Promise<string>;
  /** Stops the registry (SIGTERM, then SIGKILL after 5 s) and removes a temp dir it made. */
  stop(): Promise<void>;
}

/**
 * Starts verdaccio as a child process on 127.0.0.1 and resolves once it answers `/-/ping`.
 * The child exits with its parent (IPC channel), so a killed test run leaves no registry behind.
 */
export async function startRegistry(options: StartRegistryOptions = {}): Promise<Registry> {
  const ownDir = options.dir === undefined;
  const dir = options.dir ?? (await mkdtemp(join(tmpdir(), 'tempered-registry-')));
  await mkdir(dir, { recursive: true });
  const serverOptions = {
    dir,
    host: options.host ?? '127.0.0.1',
    port: options.port ?? 0,
    upstream: options.upstream === undefined ? NPMJS : options.upstream,
    logLevel: options.logLevel ?? 'warn',
  };
  const child = spawn(process.execPath, [SERVER, JSON.stringify(serverOptions)], {
    cwd: dir,
    env: serverOptions.upstream ? withNpmCa(process.env) : process.env,
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  const cleanupOnExit = () => child.kill('SIGKILL');
  process.once('exit', cleanupOnExit);

  const stop = async () => {
    process.removeListener('exit', cleanupOnExit);
    await stopChild(child);
    if (ownDir) await rm(dir, { recursive: true, force: true });
  };
  try {
    const url = await waitListening(child, options.startTimeoutMs ?? 30_000, dir);
    await waitPing(url, options.startTimeoutMs ?? 30_000);
    return {
      url,
      dir,
      pid: child.pid ?? -1,
      npmrc: () => npmrcFor(url),
      writeNpmrc: async (path) => {
        await writeFile(path, npmrcFor(url), { mode: 0o600 });
        return path;
      },
      log: () => readFile(join(dir, 'verdaccio.log'), 'utf8').catch(() => ''),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

function waitListening(child: ChildProcess, timeoutMs: number, dir: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    const fail = (message: string) => {
      clearTimeout(timer);
      reject(new Error(`${message}\nstderr: ${stderr}\nlog: ${join(dir, 'verdaccio.log')}`));
    };
    const timer = setTimeout(() => fail(`the registry did not start within ${timeoutMs} ms`), timeoutMs);
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      const line = stdout.split('\n').find((l) => l.startsWith('{"event":"listening"'));
      if (line) {
        clearTimeout(timer);
        resolve((JSON.parse(line) as { url: string }).url);
      }
    });
    child.once('error', (error) => fail(`the registry could not start: ${error.message}`));
    child.once('exit', (code, signal) => fail(`the registry exited (${code ?? signal}) before listening`));
  });
}

async function waitPing(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const response = await fetch(new URL('-/ping', url), { signal: AbortSignal.timeout(5000) });
      if (response.ok) return;
      last = new Error(`HTTP ${response.status}`);
    } catch (error) {
      last = error;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`the registry at ${url} did not answer /-/ping: ${String(last)}`);
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

/**
 * The registry proxies with node's TLS, npm with its own config: where npm trusts an extra CA
 * (`cafile`, e.g. a TLS-inspecting proxy's) and node was not told (NODE_EXTRA_CA_CERTS, which
 * turbo's strict env mode drops), hand npm's file to the registry so both reach the same upstream.
 */
function withNpmCa(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  if (env.NODE_EXTRA_CA_CERTS) return env;
  const result = spawnSync('npm', ['config', 'get', 'cafile'], { encoding: 'utf8', timeout: 30_000 });
  const cafile = result.status === 0 ? result.stdout.trim() : '';
  return cafile && cafile !== 'null' && cafile !== 'undefined' && existsSync(cafile)
    ? { ...env, NODE_EXTRA_CA_CERTS: cafile }
    : env;
}
