import { execFile } from 'node:child_process';
import { chmod, chown, mkdtemp, readdir, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

// Debian installs the server outside PATH; `initdb` on PATH may be a wrapper (pg_wrapper) or absent
const DEBIAN_ROOT = '/usr/lib/postgresql';
// nobody: PostgreSQL refuses to run as root
const UNPRIVILEGED = 65534;

export interface PostgresCluster {
  /** postgres://postgres@127.0.0.1:<port>/postgres (trust auth on loopback). */
  readonly url: string;
  readonly port: number;
  /** `url` with another database. */
  urlFor(database: string): string;
  /** Runs SQL through psql as the superuser; resolves with its unaligned, tuples-only output. */
  psql(sql: string, database?: string): Promise<string>;
  /** Creates a database and returns its URL. */
  createDatabase(name: string): Promise<string>;
  /** Stops the server, keeping the data (an outage); startServer() brings it back on the same port. */
  stopServer(): Promise<void>;
  startServer(): Promise<void>;
  /** Stops the server and removes the cluster; safe to call twice. */
  stop(): Promise<void>;
}

/** The directory holding initdb, pg_ctl and psql, or undefined when PostgreSQL is not installed. */
export async function findPostgresBin(): Promise<string | undefined> {
  let versions: string[];
  try {
    versions = await readdir(DEBIAN_ROOT);
  } catch {
    return undefined;
  }
  const newest = versions
    .filter((v) => /^\d+$/.test(v))
    .sort((a, b) => Number(b) - Number(a))
    .find(() => true);
  return newest === undefined ? undefined : join(DEBIAN_ROOT, newest, 'bin');
}

/**
 * A throwaway PostgreSQL cluster: initdb into a temp dir, started on a free 127.0.0.1 port with
 * its socket in that dir, fsync off (the data is thrown away). Run as uid 65534 when we are root.
 * Throws when the binaries are missing: callers that may run without them check findPostgresBin().
 */
export async function startPostgres(): Promise<PostgresCluster> {
  const bin = await findPostgresBin();
  if (!bin) throw new Error(`PostgreSQL is not installed (no ${DEBIAN_ROOT}/<version>/bin)`);
  const root = await mkdtemp(join(tmpdir(), 'tempered-pg-'));
  const asRoot = process.getuid?.() === 0;
  if (asRoot) await chown(root, UNPRIVILEGED, UNPRIVILEGED);
  await chmod(root, 0o700);
  const data = join(root, 'data');
  const port = await freePort();
  const exec = async (tool: string, args: string[]) => {
    const file = join(bin, tool);
    const [command, argv] = asRoot
      ? ['setpriv', [`--reuid=${UNPRIVILEGED}`, `--regid=${UNPRIVILEGED}`, '--clear-groups', file, ...args]]
      : [file, args];
    try {
      const { stdout } = await run(command, argv as string[], {
        cwd: root,
        env: { ...process.env, LC_ALL: 'C', PGTZ: 'UTC' },
      });
      return stdout;
    } catch (error) {
      const e = error as { stderr?: string; message: string };
      throw new Error(`${tool} failed: ${(e.stderr ?? '').trim() || e.message}`);
    }
  };
  const options = `-p ${port} -k ${root} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off -c max_connections=200`;
  let running = false;
  const startServer = async () => {
    await exec('pg_ctl', [
      'start',
      '-w',
      '-t',
      '60',
      '-D',
      data,
      '-l',
      join(root, 'server.log'),
      '-o',
      options,
    ]);
    running = true;
  };
  const stopServer = async () => {
    if (!running) return;
    running = false;
    await exec('pg_ctl', ['stop', '-w', '-m', 'immediate', '-D', data]);
  };
  await exec('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']);
  await startServer();
  const urlFor = (database: string) => `postgres://postgres@127.0.0.1:${port}/${database}`;
  const psql = (sql: string, database = 'postgres') =>
    exec('psql', ['-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-d', urlFor(database), '-c', sql]).then(
      (out) => out.trim(),
    );
  let stopped = false;
  return {
    url: urlFor('postgres'),
    port,
    urlFor,
    psql,
    async createDatabase(name: string) {
      await psql(`create database "${name}"`);
      return urlFor(name);
    },
    stopServer,
    startServer,
    async stop() {
      if (stopped) return;
      stopped = true;
      await stopServer().catch(() => undefined);
      await rm(root, { recursive: true, force: true });
    },
  };
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}
