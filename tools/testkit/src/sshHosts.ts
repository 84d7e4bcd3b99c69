import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { access, chmod, chown, mkdir, mkdtemp, open, readFile, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePorts } from './freePorts.js';
import { signalTree, waitGone } from './processTree.js';

const run = promisify(execFile);

// Debian's openssh-server; sshd re-executes itself per connection, so it insists on an absolute path
const SSHD = '/usr/sbin/sshd';
// sshd running as root checks that its privilege separation directory exists
const PRIVSEP_DIR = '/run/sshd';
// util-linux: lets us tie each sshd to the test process (see spawnSshd)
const SETPRIV = '/usr/bin/setpriv';
const START_TIMEOUT_MS = 10_000;
const STOP_GRACE_MS = 5_000;

export interface SshHostsOptions {
  /** The account the client logs in as. Default: root when we are root, else the current user. */
  user?: string;
  /**
   * Run sshd with PAM. Default: only when the account's password is locked (`!` in /etc/shadow,
   * as for most service accounts): sshd without PAM refuses a locked account even for a key login.
   */
  usePam?: boolean;
}

export interface SshHost {
  /** host1, host2...: the `Host` alias in the fleet's ssh_config. */
  readonly name: string;
  readonly host: '127.0.0.1';
  readonly port: number;
  readonly user: string;
  /** An empty directory of this host only, owned by `user`, for the deploy to write into. */
  readonly baseDir: string;
  /** sshd's stderr (`-e`), kept across restarts: read it when a test fails on this host. */
  readonly logFile: string;
  /** The listening sshd's pid; changes on restart. */
  readonly pid: number;
  /** `ssh-ed25519 AAAA...` of the current host key (changes after rotateHostKey). */
  readonly hostKeyPublic: string;
  readonly running: boolean;
  /** Stops sshd (SIGTERM, then SIGKILL after 5 s) with every session it serves. */
  stop(): Promise<void>;
  /**
   * The host dies: `signal` (default SIGKILL) to sshd and every session below it, so open
   * connections drop mid-command. Resolves once they have all ended.
   */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Starts sshd again on the same port with the same key (stopping it first if it runs). */
  restart(): Promise<void>;
  /** A new host key, then restart. The fleet's known_hosts keeps the old key: a changed-key host. */
  rotateHostKey(): Promise<void>;
}

export interface SshFleet {
  readonly hosts: readonly SshHost[];
  /** The user's private key (ed25519, no passphrase, mode 0600), authorized on every host. */
  readonly identityFile: string;
  /** Every host's key as started, under `[127.0.0.1]:<port>`. */
  readonly knownHostsFile: string;
  /** `Host host1`... blocks, so `ssh -F <sshConfigFile> host1 true` logs in (BatchMode, strict keys). */
  readonly sshConfigFile: string;
  /** A new known_hosts file with the current key of every host but `host` (an unknown-key host). */
  knownHostsWithout(host: SshHost): Promise<string>;
  /** Stops every host and removes the fleet's directory; safe to call twice. */
  stop(): Promise<void>;
}

/**
 * `count` real OpenSSH servers on free ports of 127.0.0.1, each with its own host key and base
 * directory, all accepting one generated user key. Resolves once every one answers with an SSH
 * banner. Call `stop()` (e.g. `closeWhenTestFinishes(fleet.stop)` or in afterAll); should the test
 * process end without it, every sshd is killed with it (see spawnSshd and the exit handler).
 */
export async function startSshHosts(count: number, options: SshHostsOptions = {}): Promise<SshFleet> {
  if (!Number.isInteger(count) || count < 1)
    throw new Error(`startSshHosts: count must be >= 1, got ${count}`);
  try {
    await access(SSHD);
  } catch {
    throw new Error(`OpenSSH server is not installed (no ${SSHD}): apt-get install openssh-server`);
  }
  const asRoot = process.getuid?.() === 0;
  const user = options.user ?? userInfo().username;
  const account = await lookUpAccount(user);
  if (!asRoot && account.uid !== process.getuid?.()) {
    throw new Error(`startSshHosts: only root can run sshd for another user (${user})`);
  }
  const usePam = options.usePam ?? (asRoot && (await isLocked(user)));
  if (asRoot) {
    await mkdir(PRIVSEP_DIR, { recursive: true });
    await chmod(PRIVSEP_DIR, 0o755);
  }

  const root = await mkdtemp(join(tmpdir(), 'tempered-ssh-'));
  // the login user walks through here to its base directory and authorized_keys
  await chmod(root, 0o755);
  const fleetEntry = { root, hosts: [] as HostProcess[] };
  live.add(fleetEntry);
  registerExitCleanup();
  let stopped = false;
  const stopFleet = async () => {
    if (stopped) return;
    stopped = true;
    await Promise.all(fleetEntry.hosts.map((h) => h.stop()));
    live.delete(fleetEntry);
    await rm(root, { recursive: true, force: true });
  };

  try {
    const identityFile = join(root, 'id_ed25519');
    await keygen(identityFile, `tempered-test@${user}`);
    await chmod(identityFile, 0o600);
    const userKey = (await readFile(`${identityFile}.pub`, 'utf8')).trim();
    const ports = await freePorts(count);
    const optionalLines = await supportedOptionalLines(root);
    // allSettled: on a failure, stop only once no host is still starting
    const started = await Promise.allSettled(
      ports.map(async (port, i) => {
        const host = await createHost({
          root,
          name: `host${i + 1}`,
          port,
          account,
          userKey,
          usePam,
          optionalLines,
        });
        fleetEntry.hosts.push(host);
        await host.start();
        return host;
      }),
    );
    const failed = started.find((r) => r.status === 'rejected');
    if (failed) throw failed.reason;
    const hosts = started.map((r) => (r as PromiseFulfilledResult<HostProcess>).value);

    const knownHostsFile = join(root, 'known_hosts');
    await writeFile(knownHostsFile, hosts.map(knownHostsLine).join(''), { mode: 0o644 });
    const sshConfigFile = join(root, 'ssh_config');
    await writeFile(
      sshConfigFile,
      hosts.map((h) => sshConfigBlock(h, identityFile, knownHostsFile)).join('\n'),
      // ssh refuses a config file others can write
      { mode: 0o644 },
    );
    let withoutCount = 0;
    return {
      hosts: hosts.map((h) => h.view),
      identityFile,
      knownHostsFile,
      sshConfigFile,
      async knownHostsWithout(excluded: SshHost) {
        const file = join(root, `known_hosts.without-${excluded.name}.${++withoutCount}`);
        const lines = hosts.filter((h) => h.view.name !== excluded.name).map(knownHostsLine);
        await writeFile(file, lines.join(''), { mode: 0o644 });
        return file;
      },
      stop: stopFleet,
    };
  } catch (error) {
    await stopFleet();
    throw error;
  }
}

interface Account {
  name: string;
  uid: number;
  gid: number;
  home: string;
}

async function lookUpAccount(user: string): Promise<Account> {
  let line: string;
  try {
    line = (await run('getent', ['passwd', user])).stdout.trim();
  } catch {
    throw new Error(`startSshHosts: no account named ${user} on this machine`);
  }
  const [name, , uid, gid, , home] = line.split(':');
  return { name: name ?? user, uid: Number(uid), gid: Number(gid), home: home ?? '/' };
}

async function isLocked(user: string): Promise<boolean> {
  const shadow = await readFile('/etc/shadow', 'utf8').catch(() => '');
  const entry = shadow.split('\n').find((l) => l.startsWith(`${user}:`));
  return entry?.split(':')[1]?.startsWith('!') ?? false;
}

async function keygen(file: string, comment: string): Promise<void> {
  try {
    await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', comment, '-f', file]);
  } catch (error) {
    const e = error as { stderr?: string; message: string };
    throw new Error(`ssh-keygen failed: ${(e.stderr ?? '').trim() || e.message}`);
  }
}

// Newer OpenSSH (9.8+) penalises a source address that fails to log in or drops connections
// (PerSourcePenalties): every test host is reached from 127.0.0.1, and refused-key tests and
// killed hosts are the point, so switch it off where sshd knows it (older sshd rejects the word).
const OPTIONAL_LINES = ['PerSourcePenalties no'];
let optionalLinesCache: Promise<string[]> | undefined;

function supportedOptionalLines(root: string): Promise<string[]> {
  optionalLinesCache ??= (async () => {
    const probeKey = join(root, 'probe_host_key');
    await keygen(probeKey, 'probe');
    const supported: string[] = [];
    for (const line of OPTIONAL_LINES) {
      const config = join(root, 'probe_sshd_config');
      await writeFile(config, `HostKey ${probeKey}\n${line}\n`);
      try {
        await run(SSHD, ['-t', '-f', config]);
        supported.push(line);
      } catch {
        // not known to this sshd
      }
    }
    await rm(probeKey, { force: true });
    await rm(`${probeKey}.pub`, { force: true });
    return supported;
  })();
  return optionalLinesCache;
}

function knownHostsLine(host: HostProcess): string {
  return `[127.0.0.1]:${host.view.port} ${host.view.hostKeyPublic}\n`;
}

function sshConfigBlock(host: HostProcess, identityFile: string, knownHostsFile: string): string {
  const { name, port, user } = host.view;
  return [
    `Host ${name}`,
    '  HostName 127.0.0.1',
    `  Port ${port}`,
    `  User ${user}`,
    `  IdentityFile ${identityFile}`,
    '  IdentitiesOnly yes',
    `  UserKnownHostsFile ${knownHostsFile}`,
    // hermetic: neither the machine's known hosts nor learning keys the server offers
    '  GlobalKnownHostsFile /dev/null',
    '  UpdateHostKeys no',
    '  StrictHostKeyChecking yes',
    '  BatchMode yes',
    '',
  ].join('\n');
}

interface HostSpec {
  root: string;
  name: string;
  port: number;
  account: Account;
  userKey: string;
  usePam: boolean;
  optionalLines: string[];
}

interface HostProcess {
  view: SshHost;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Synchronous SIGKILL of the whole tree, for the process exit handler. */
  killNow(): void;
}

async function createHost(spec: HostSpec): Promise<HostProcess> {
  const { root, name, account } = spec;
  let port = spec.port;
  const dir = join(root, name);
  const baseDir = join(dir, 'base');
  const hostKey = join(dir, 'ssh_host_ed25519_key');
  const authorizedKeys = join(dir, 'authorized_keys');
  const config = join(dir, 'sshd_config');
  const logFile = join(dir, 'sshd.log');
  await mkdir(baseDir, { recursive: true });
  await chmod(dir, 0o755);
  await chmod(baseDir, 0o755);
  if (process.getuid?.() === 0) await chown(baseDir, account.uid, account.gid);
  // read by sshd as the login user
  await writeFile(authorizedKeys, `${spec.userKey}\n`, { mode: 0o644 });
  const newHostKey = async () => {
    await rm(hostKey, { force: true });
    await rm(`${hostKey}.pub`, { force: true });
    await keygen(hostKey, name);
    // the comment stays out: known_hosts lines are compared on type and key
    return (await readFile(`${hostKey}.pub`, 'utf8')).trim().split(' ').slice(0, 2).join(' ');
  };
  const writeConfig = () =>
    writeFile(
      config,
      [
        `Port ${port}`,
        'ListenAddress 127.0.0.1',
        `HostKey ${hostKey}`,
        `PidFile ${join(dir, 'sshd.pid')}`,
        `AuthorizedKeysFile ${authorizedKeys}`,
        'PubkeyAuthentication yes',
        'PasswordAuthentication no',
        'KbdInteractiveAuthentication no',
        `UsePAM ${spec.usePam ? 'yes' : 'no'}`,
        'PermitRootLogin prohibit-password',
        // the key files live in temp dirs sshd would otherwise find too open
        'StrictModes no',
        'Subsystem sftp internal-sftp',
        // a fleet test opens many connections at once; the default 10:30:100 drops some
        'MaxStartups 100:30:200',
        // connection reuse (ControlMaster) runs many sessions over one connection
        'MaxSessions 100',
        'PrintMotd no',
        'PrintLastLog no',
        ...spec.optionalLines,
        '',
      ].join('\n'),
    );

  let hostKeyPublic = await newHostKey();
  await writeConfig();
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  let spawnFailed = false;
  const alive = () =>
    child !== undefined && !spawnFailed && child.exitCode === null && child.signalCode === null;

  const startOnce = async () => {
    const log = await open(logFile, 'a');
    try {
      child = spawnSshd(config, log.fd);
    } finally {
      await log.close();
    }
    const current = child;
    spawnFailed = false;
    exited = new Promise<void>((resolve) => {
      current.once('exit', () => resolve());
      // e.g. ENOENT: no 'exit' follows
      current.once('error', () => {
        spawnFailed = true;
        resolve();
      });
    });
    try {
      await waitForBanner(port, current, alive);
    } catch (error) {
      await takeDown('SIGKILL');
      const output = await readFile(logFile, 'utf8').catch(() => '');
      throw new Error(
        `sshd ${name} (port ${port}) did not start: ${(error as Error).message}\n${output.trim()}`,
      );
    }
  };
  const takeDown = async (signal: NodeJS.Signals) => {
    if (!child || !alive()) return;
    const pids = signalTree(child.pid!, signal);
    const gone = await waitGone(pids, STOP_GRACE_MS);
    if (!gone) signalTree(child.pid!, 'SIGKILL');
    await exited;
    await waitGone(pids, STOP_GRACE_MS);
  };

  let first = true;
  const host: HostProcess = {
    async start() {
      if (alive()) return;
      if (!first) return startOnce();
      first = false;
      // the port was free a moment ago; another process may have taken it since
      for (let attempt = 1; ; attempt++) {
        try {
          return await startOnce();
        } catch (error) {
          if (attempt >= 3 || !/Address already in use/.test((error as Error).message)) throw error;
          port = (await freePorts(1))[0]!;
          await writeConfig();
        }
      }
    },
    stop: () => takeDown('SIGTERM'),
    killNow() {
      if (child && alive()) signalTree(child.pid!, 'SIGKILL');
    },
    view: {
      name,
      host: '127.0.0.1',
      get port() {
        return port;
      },
      user: account.name,
      baseDir,
      logFile,
      get pid() {
        return child?.pid ?? -1;
      },
      get hostKeyPublic() {
        return hostKeyPublic;
      },
      get running() {
        return alive();
      },
      stop: () => takeDown('SIGTERM'),
      kill: (signal: NodeJS.Signals = 'SIGKILL') => takeDown(signal),
      async restart() {
        await takeDown('SIGTERM');
        await host.start();
      },
      async rotateHostKey() {
        await takeDown('SIGTERM');
        hostKeyPublic = await newHostKey();
        await host.start();
      },
    },
  };
  return host;
}

/**
 * sshd in the foreground (-D) logging to `logFd` (-e). Through setpriv's --pdeathsig, the kernel
 * SIGKILLs sshd when the thread that started it ends: a test process that crashes or is killed
 * leaves no listener behind.
 */
function spawnSshd(config: string, logFd: number): ChildProcess {
  const argv = [SSHD, '-D', '-e', '-f', config];
  const [command, args] = existsSync(SETPRIV)
    ? [SETPRIV, ['--pdeathsig', 'SIGKILL', ...argv]]
    : [SSHD, argv.slice(1)];
  return spawn(command, args as string[], {
    stdio: ['ignore', logFd, logFd],
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C.UTF-8' },
  });
}

/** Resolves once the port answers with an SSH identification line; rejects if sshd exits first. */
async function waitForBanner(port: number, child: ChildProcess, alive: () => boolean): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (!alive())
      throw new Error(`sshd exited with ${child.exitCode ?? child.signalCode ?? 'a spawn error'}`);
    const banner = await new Promise<string>((resolve) => {
      let received = '';
      const socket = connect(port, '127.0.0.1');
      const done = (value: string) => {
        socket.destroy();
        resolve(value);
      };
      socket.setTimeout(2_000, () => done(''));
      socket.on('data', (chunk) => {
        received += chunk.toString('latin1');
        if (received.includes('\n')) done(received);
      });
      socket.once('error', () => done(''));
      socket.once('close', () => done(received));
    });
    if (banner.startsWith('SSH-2.0-')) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`no SSH banner on 127.0.0.1:${port} after ${START_TIMEOUT_MS / 1000} s`);
}

// Every fleet not yet stopped, so the exit handler can kill what a crashed test left running.
const live = new Set<{ root: string; hosts: HostProcess[] }>();
let exitHandlerRegistered = false;

function registerExitCleanup(): void {
  if (exitHandlerRegistered) return;
  exitHandlerRegistered = true;
  process.once('exit', () => {
    for (const fleet of live) {
      for (const host of fleet.hosts) host.killNow();
      rmSync(fleet.root, { recursive: true, force: true });
    }
  });
}
