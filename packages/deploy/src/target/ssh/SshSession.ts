import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { PermanentError, Semaphore, TransientError, UsageError } from '@tempered/core';
import type { SshEndpoint, SshSettings } from './sshConfig.js';

export interface RunOptions {
  /** Text or a stream fed to the remote command's stdin (a script, a file). */
  stdin?: string | Readable;
  timeoutMs: number;
  /** Each line of stderr as it comes (a hook's output); otherwise stderr is kept for the error. */
  onLine?: (stream: 'stdout' | 'stderr', line: string) => void;
}

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  durationMs: number;
}

/** ssh's own exit status: the connection, not the remote command, failed. */
const SSH_FAILED = 255;
/** Output kept of one command when no line callback takes it: a listing, a log, an error. */
const MAX_KEPT = 16 * 1024 * 1024;
/** After the timeout, SIGTERM to ssh; this long later SIGKILL. */
const KILL_GRACE_MS = 3_000;
/** After ssh exits, this long for its output pipes to close. */
const DRAIN_MS = 250;

// connection starts in flight at once, across every host of this process (sshd's MaxStartups)
const gates = new Map<number, Semaphore>();
function gateFor(size: number): Semaphore {
  let gate = gates.get(size);
  if (!gate) {
    gate = new Semaphore(size);
    gates.set(size, gate);
  }
  return gate;
}

// one directory of control sockets per process: short (a socket path has ~100 bytes), 0700
let controlDir: string | undefined;
const masters = new Map<string, string[]>();
function controlPath(): string {
  if (controlDir === undefined) {
    controlDir = mkdtempSync(join(tmpdir(), 'tmpd-ssh-'));
    process.once('exit', closeMasters);
  }
  return join(controlDir, '%C');
}

/**
 * At exit: each master connection closed (`ssh -O exit`) and the socket directory removed, by a
 * detached shell, so the CLI does not wait a handshake's time per host on its way out.
 */
function closeMasters(): void {
  if (controlDir === undefined) return;
  const commands = [...masters.values()].map((args) =>
    ['ssh', ...args, '-O', 'exit'].map(shellQuote).join(' '),
  );
  commands.push(`rm -rf ${shellQuote(controlDir)}`);
  masters.clear();
  try {
    spawn('/bin/sh', ['-c', commands.map((c) => `${c} >/dev/null 2>&1`).join('; ')], {
      detached: true,
      stdio: 'ignore',
    }).unref();
  } catch {
    rmSync(controlDir, { recursive: true, force: true });
  }
}

/**
 * One host reached through the system OpenSSH client: ~/.ssh/config, known_hosts, the agent,
 * identity files and ProxyJump work as they do for the operator's own `ssh`. Batch mode (never a
 * prompt), strict host key checking (an unknown or changed key refuses the host), and one master
 * connection per host that every later command reuses (ControlMaster), so a deploy of twenty
 * steps costs one handshake.
 */
export class SshSession {
  readonly endpoint: SshEndpoint;
  readonly #settings: SshSettings;
  #connected = false;

  constructor(endpoint: SshEndpoint, settings: SshSettings) {
    this.endpoint = endpoint;
    this.#settings = settings;
  }

  /** `name (user@host:port)` for every message: each error names its host. */
  get label(): string {
    const { name, host, user, port } = this.endpoint;
    const address = `${user ? `${user}@` : ''}${host}${port ? `:${port}` : ''}`;
    return name === host ? address : `${name} (${address})`;
  }

  #baseArgs(): string[] {
    const s = this.#settings;
    const args = [
      '-o',
      'BatchMode=yes',
      '-o',
      'StrictHostKeyChecking=yes',
      '-o',
      `ConnectTimeout=${Math.max(1, Math.ceil(s.connectTimeoutMs / 1000))}`,
      '-o',
      `ServerAliveInterval=${Math.max(1, Math.ceil(s.keepaliveMs / 1000))}`,
      '-o',
      'ServerAliveCountMax=3',
      '-o',
      'ControlMaster=auto',
      '-o',
      `ControlPath=${controlPath()}`,
      '-o',
      'ControlPersist=60',
      '-o',
      'LogLevel=ERROR',
    ];
    if (s.configFile) args.push('-F', s.configFile);
    if (s.identityFile) args.push('-o', 'IdentitiesOnly=yes', '-i', s.identityFile);
    if (s.knownHostsFile) args.push('-o', `UserKnownHostsFile=${s.knownHostsFile}`);
    const { user, port, host } = this.endpoint;
    if (port) args.push('-p', String(port));
    if (user) args.push('-l', user);
    args.push(host);
    return args;
  }

  /**
   * Runs `command` with the remote user's shell. The command line is visible in `ps` on the
   * host: it carries fixed text and paths only; anything else goes on stdin.
   */
  async run(command: string, options: RunOptions): Promise<RunResult> {
    const base = this.#baseArgs();
    // the first command opens the master connection: only so many handshakes at once
    const leave = this.#connected ? undefined : await gateFor(this.#settings.maxStartups).acquire();
    try {
      const result = await spawnSsh([...base, '--', command], options);
      if (result.code !== SSH_FAILED) {
        this.#connected = true;
        masters.set(this.endpoint.name, base);
      }
      return result;
    } finally {
      leave?.();
    }
  }

  /** Like run(), but a failed connection or a non-zero exit is an error naming the host. */
  async check(command: string, options: RunOptions, what: string): Promise<RunResult> {
    const result = await this.run(command, options);
    if (result.code === 0) return result;
    throw this.failure(result, what);
  }

  /** The error for a failed command: connection problems by kind, else the remote's own words. */
  failure(result: RunResult, what: string): Error {
    const stderr = lastLines(result.stderr);
    if (result.timedOut) {
      return new TransientError(
        `${this.label}: ${what} timed out after ${Math.round(result.durationMs / 1000)} s`,
        { hint: 'the host or its disk is slow or stuck; run the deploy again once it answers' },
      );
    }
    if (result.code === SSH_FAILED) return connectionError(this.label, stderr, what);
    return new PermanentError(
      `${this.label}: ${what} failed (exit ${result.code ?? result.signal})${stderr ? `: ${stderr}` : ''}`,
      { hint: 'the host needs a POSIX sh, tar and GNU coreutils, and write access to the target path' },
    );
  }
}

function connectionError(label: string, stderr: string, what: string): Error {
  if (
    /host key verification failed|REMOTE HOST IDENTIFICATION HAS CHANGED|No .* host key is known/i.test(
      stderr,
    )
  ) {
    const changed = /CHANGED|Offending/i.test(stderr);
    return new UsageError(
      `${label}: ${changed ? 'the host key has CHANGED since it was recorded in known_hosts' : 'the host key is not in known_hosts'}; refusing the host (nothing was sent)`,
      {
        hint: changed
          ? 'find out why the key changed (a reinstalled host, or someone in between); once trusted, ssh-keygen -R the old key and add the new one'
          : 'verify the host key out of band, then add it to known_hosts (ssh-keyscan -p PORT HOST >> ~/.ssh/known_hosts after checking its fingerprint)',
      },
    );
  }
  if (/Permission denied|Too many authentication failures/i.test(stderr)) {
    return new UsageError(`${label}: authentication refused (${stderr})`, {
      hint: 'check the user, the identity file or the agent: deploy runs ssh in batch mode and never asks for a password',
    });
  }
  if (/Could not resolve hostname/i.test(stderr)) {
    return new UsageError(`${label}: ${stderr}`, { hint: 'check the host name in deploy.target.hosts' });
  }
  // refused, reset, timed out, closed: the host may be back in a moment
  return new TransientError(`${label}: ssh could not ${what}: ${stderr || 'connection failed'}`, {
    hint: 'check that the host is up and sshd answers (ssh -v); a re-run continues where this one stopped',
  });
}

function lastLines(text: string): string {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('@@@') && !/^Warning: Permanently added/.test(line))
    .slice(-3)
    .join(' / ');
}

function spawnSsh(args: string[], options: RunOptions): Promise<RunResult> {
  const started = performance.now();
  return new Promise<RunResult>((resolve, reject) => {
    const child = spawn('ssh', args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    let killTimer: NodeJS.Timeout | undefined;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGTERM');
      killTimer = setTimeout(() => child.kill('SIGKILL'), KILL_GRACE_MS);
    }, options.timeoutMs);
    const collect = (stream: 'stdout' | 'stderr') => {
      let partial = '';
      return (chunk: string) => {
        if (stream === 'stdout' && !options.onLine) {
          if (stdout.length < MAX_KEPT) stdout += chunk;
          return;
        }
        if (stream === 'stderr' && stderr.length < MAX_KEPT) stderr += chunk;
        if (!options.onLine) return;
        const lines = (partial + chunk).split(/\r?\n/);
        partial = lines.pop() ?? '';
        for (const line of lines) options.onLine(stream, line);
      };
    };
    child.stdout.setEncoding('utf8').on('data', collect('stdout'));
    child.stderr.setEncoding('utf8').on('data', collect('stderr'));
    // the remote may stop reading (a failed command): its broken pipe is not ours to report
    child.stdin.on('error', () => {});
    if (typeof options.stdin === 'string') child.stdin.end(options.stdin);
    else if (options.stdin) options.stdin.pipe(child.stdin);
    else child.stdin.end();
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(
        (error as NodeJS.ErrnoException).code === 'ENOENT'
          ? new UsageError('ssh: command not found', {
              hint: 'install the OpenSSH client on the machine that runs deploy (apt-get install openssh-client)',
            })
          : error,
      );
    });
    // a master connection forked by this command (ControlPersist) may keep its pipes open for
    // a minute: the command is over when ssh exits, plus a moment for the output to drain
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      clearTimeout(killTimer);
      const finish = () => {
        child.stdout.destroy();
        child.stderr.destroy();
        resolve({
          code,
          signal,
          stdout,
          stderr,
          timedOut,
          durationMs: Math.round(performance.now() - started),
        });
      };
      const cutoff = setTimeout(finish, DRAIN_MS);
      child.once('close', () => {
        clearTimeout(cutoff);
        finish();
      });
    });
  });
}

/** A word for a POSIX shell: single-quoted, quotes inside escaped. */
export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}
