import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { access, chmod, chown, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { connect, createServer } from 'node:net';
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

// Debian's pgbouncer package; /usr/sbin is not on every user's PATH
const PGBOUNCER = '/usr/sbin/pgbouncer';

export interface PgBouncer {
  /** postgres://postgres@127.0.0.1:<bouncer port>/postgres. */
  readonly url: string;
  readonly port: number;
  /** `url` with another database (any database of the cluster is reachable). */
  urlFor(database: string): string;
  /** Stops PgBouncer and removes its directory; safe to call twice. */
  stop(): Promise<void>;
}

/** The pgbouncer binary, or undefined when the package is not installed. */
export async function findPgBouncer(): Promise<string | undefined> {
  try {
    await access(PGBOUNCER);
    return PGBOUNCER;
  } catch {
    return undefined;
  }
}

/**
 * PgBouncer in transaction mode in front of a cluster: a server connection is lent to a client
 * for one transaction only, so nothing a client leaves in its session survives to its next
 * transaction. Trust auth on a free 127.0.0.1 port, every database of the cluster (`*`), run as
 * uid 65534 when we are root (PgBouncer refuses root). Throws when the binary is missing.
 */
export async function startPgBouncer(cluster: Pick<PostgresCluster, 'port'>): Promise<PgBouncer> {
  const binary = await findPgBouncer();
  if (!binary) throw new Error(`PgBouncer is not installed (no ${PGBOUNCER})`);
  const root = await mkdtemp(join(tmpdir(), 'tempered-pgbouncer-'));
  const port = await freePort();
  const ini = join(root, 'pgbouncer.ini');
  const log = join(root, 'pgbouncer.log');
  // trust still needs the user listed in auth_file
  await writeFile(join(root, 'users.txt'), '"postgres" ""\n');
  await writeFile(
    ini,
    [
      '[databases]',
      `* = host=127.0.0.1 port=${cluster.port}`,
      '[pgbouncer]',
      'listen_addr = 127.0.0.1',
      `listen_port = ${port}`,
      'unix_socket_dir =',
      'auth_type = trust',
      `auth_file = ${join(root, 'users.txt')}`,
      'pool_mode = transaction',
      'max_client_conn = 1000',
      'default_pool_size = 20',
      // check a pooled server connection before lending it: after a server restart the pool
      // holds dead ones, and each would fail one client transaction
      'server_check_delay = 0',
      // after a failed connect (the server down for a restart) PgBouncer fails every client
      // for this long before trying the server again (default 15 s)
      'server_login_retry = 1',
      'ignore_startup_parameters = extra_float_digits,options',
      `logfile = ${log}`,
      '',
    ].join('\n'),
  );
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    for (const file of [root, ini, join(root, 'users.txt')]) await chown(file, UNPRIVILEGED, UNPRIVILEGED);
  }
  const [command, argv] = asRoot
    ? ['setpriv', [`--reuid=${UNPRIVILEGED}`, `--regid=${UNPRIVILEGED}`, '--clear-groups', binary, ini]]
    : [binary, [ini]];
  const child: ChildProcess = spawn(command, argv as string[], { cwd: root, stdio: 'ignore' });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  try {
    await waitForPort(port, exited);
  } catch (error) {
    const output = await readFile(log, 'utf8').catch(() => '');
    child.kill('SIGKILL');
    await rm(root, { recursive: true, force: true });
    throw new Error(`pgbouncer did not start: ${(error as Error).message}\n${output.trim()}`);
  }
  const urlFor = (database: string) => `postgres://postgres@127.0.0.1:${port}/${database}`;
  let stopped = false;
  return {
    url: urlFor('postgres'),
    port,
    urlFor,
    async stop() {
      if (stopped) return;
      stopped = true;
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        await exited;
      }
      await rm(root, { recursive: true, force: true });
    },
  };
}

/** Resolves once something accepts connections on the port; rejects if the process exits first. */
async function waitForPort(port: number, exited: Promise<number | null>): Promise<void> {
  let gone: number | null | undefined;
  void exited.then((code) => {
    gone = code;
  });
  for (let attempt = 0; attempt < 200; attempt++) {
    if (gone !== undefined) throw new Error(`exited with code ${gone}`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`nothing listening on 127.0.0.1:${port} after 10 s`);
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}
