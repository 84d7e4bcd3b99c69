import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { stat, writeFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  closeWhenTestFinishes,
  runCommand,
  type SshFleet,
  type SshHost,
  startSshHosts,
} from '../src/index.js';
import { descendants, isGone, waitGone } from '../src/processTree.js';

// Linux with Debian's openssh-server (.ci/run installs it); elsewhere these tests cannot run.
const HAS_SSHD = process.platform === 'linux' && existsSync('/usr/sbin/sshd');
const HOST_KEY_CHANGED = 'REMOTE HOST IDENTIFICATION HAS CHANGED';
const BUILT = fileURLToPath(new URL('../dist/sshHosts.js', import.meta.url));

function ssh(fleet: SshFleet, host: SshHost, command: string, extra: string[] = []) {
  return runCommand('ssh', ['-F', fleet.sshConfigFile, ...extra, host.name, command]);
}

/** The sshd listeners of a fleet: their command line names their -f config path, root/hostN/. */
function sshdsOf(root: string): number[] {
  const dir = join(root, 'host');
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((entry) => {
      try {
        return readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(dir) && !isGone(Number(entry));
      } catch {
        return false;
      }
    })
    .map(Number);
}

describe.skipIf(!HAS_SSHD && !process.env.CI)('startSshHosts: real sshd hosts on 127.0.0.1', () => {
  let fleet: SshFleet;
  beforeAll(async () => {
    fleet = await startSshHosts(3);
  });
  afterAll(async () => {
    await fleet?.stop();
  });

  it('logs in to every host through the real client with BatchMode, as the default user', async () => {
    const me = userInfo();
    expect(fleet.hosts.map((h) => h.name)).toEqual(['host1', 'host2', 'host3']);
    expect(new Set(fleet.hosts.map((h) => h.port)).size).toBe(3);
    expect(new Set(fleet.hosts.map((h) => h.hostKeyPublic)).size).toBe(3);
    expect((await stat(fleet.identityFile)).mode & 0o777).toBe(0o600);
    const knownHosts = readFileSync(fleet.knownHostsFile, 'utf8');
    for (const host of fleet.hosts) {
      expect(knownHosts).toContain(`[127.0.0.1]:${host.port} ${host.hostKeyPublic}\n`);
      const result = await ssh(fleet, host, 'echo ok; echo $HOME');
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toBe(`ok\n${me.homedir}\n`);
    }
  });

  it('gives each host a base directory of its own, owned by the login user, written over ssh and sftp', async () => {
    const [host1, host2] = fleet.hosts as [SshHost, SshHost];
    expect(host1.baseDir).not.toBe(host2.baseDir);
    const written = await ssh(fleet, host1, `echo hello > ${host1.baseDir}/over-ssh`);
    expect(written.code, written.stderr).toBe(0);
    const file = await stat(join(host1.baseDir, 'over-ssh'));
    expect(file.uid).toBe(userInfo().uid);
    expect((await stat(host1.baseDir)).uid).toBe(userInfo().uid);

    const batch = join(host1.baseDir, '..', 'sftp-batch');
    await writeFile(batch, `put ${fleet.identityFile}.pub ${host2.baseDir}/over-sftp\n`);
    const sftp = await runCommand('sftp', ['-F', fleet.sshConfigFile, '-b', batch, host2.name]);
    expect(sftp.code, sftp.stderr).toBe(0);
    expect(readFileSync(join(host2.baseDir, 'over-sftp'), 'utf8')).toBe(
      readFileSync(`${fleet.identityFile}.pub`, 'utf8'),
    );
  });

  it('a host missing from known_hosts is refused by the client', async () => {
    const [host1, , host3] = fleet.hosts as [SshHost, SshHost, SshHost];
    const without = await fleet.knownHostsWithout(host3);
    expect(readFileSync(without, 'utf8')).not.toContain(`:${host3.port}]`);
    const refused = await ssh(fleet, host3, 'echo reached', ['-o', `UserKnownHostsFile=${without}`]);
    expect(refused.code).toBe(255);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toContain('Host key verification failed');
    // the same file lets the other hosts in: the refusal is about host3's key alone
    const allowed = await ssh(fleet, host1, 'echo reached', ['-o', `UserKnownHostsFile=${without}`]);
    expect(allowed.code, allowed.stderr).toBe(0);
  });

  it('a rotated host key is refused as a changed key, on the same port', async () => {
    const host2 = fleet.hosts[1]!;
    const before = { port: host2.port, key: host2.hostKeyPublic, pid: host2.pid };
    await host2.rotateHostKey();
    expect(host2.port).toBe(before.port);
    expect(host2.hostKeyPublic).not.toBe(before.key);
    expect(host2.pid).not.toBe(before.pid);

    const refused = await ssh(fleet, host2, 'echo reached');
    expect(refused.code).toBe(255);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toContain(HOST_KEY_CHANGED);
    expect(refused.stderr).toContain('Host key verification failed');

    // trusting the new key lets the client in again
    const current = join(host2.baseDir, '..', 'known_hosts.current');
    await writeFile(current, `[127.0.0.1]:${host2.port} ${host2.hostKeyPublic}\n`);
    const allowed = await ssh(fleet, host2, 'echo reached', ['-o', `UserKnownHostsFile=${current}`]);
    expect(allowed.code, allowed.stderr).toBe(0);
    expect(allowed.stdout).toBe('reached\n');
  });

  it('kill drops the host with its open sessions; restart brings it back on the same port and key', async () => {
    const host1 = fleet.hosts[0]!;
    const before = { port: host1.port, key: host1.hostKeyPublic, pid: host1.pid };
    // the remote shell prints its pid, then becomes a long sleep
    const session = spawn('ssh', ['-F', fleet.sshConfigFile, host1.name, 'echo $$; exec sleep 300'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    closeWhenTestFinishes(async () => {
      session.kill('SIGKILL');
    });
    const sessionEnded = new Promise<number | null>((resolve) =>
      session.once('exit', (code) => resolve(code)),
    );
    const remotePid = await new Promise<number>((resolve, reject) => {
      let out = '';
      session.stdout.on('data', (chunk) => {
        out += chunk;
        if (out.includes('\n')) resolve(Number(out.trim()));
      });
      session.once('exit', () => reject(new Error(`ssh ended before the remote command started: ${out}`)));
    });
    expect(descendants(host1.pid)).toContain(remotePid);

    await host1.kill('SIGKILL');
    expect(host1.running).toBe(false);
    expect(isGone(before.pid)).toBe(true);
    expect(isGone(remotePid)).toBe(true);
    expect(await sessionEnded).toBe(255);
    const down = await ssh(fleet, host1, 'true', ['-o', 'ConnectTimeout=5']);
    expect(down.code).toBe(255);
    expect(down.stderr).toContain('Connection refused');

    await host1.restart();
    expect(host1.running).toBe(true);
    expect(host1.pid).not.toBe(before.pid);
    expect(host1.port).toBe(before.port);
    expect(host1.hostKeyPublic).toBe(before.key);
    const back = await ssh(fleet, host1, 'echo back');
    expect(back.code, back.stderr).toBe(0);
    expect(back.stdout).toBe('back\n');
  });
});

// an unprivileged account that can run commands (uid >= 1000 with a login shell), if this machine has one
function unprivilegedAccount(): { name: string; uid: number; home: string } | undefined {
  const shells = readFileSync('/etc/shells', 'utf8').split('\n');
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .map((l) => l.split(':'))
    .find((f) => Number(f[2]) >= 1000 && Number(f[2]) < 65534 && shells.includes(f[6] ?? ''));
  return line && { name: line[0]!, uid: Number(line[2]), home: line[5]! };
}
const UNPRIVILEGED = HAS_SSHD && process.getuid?.() === 0 ? unprivilegedAccount() : undefined;

describe.skipIf(!UNPRIVILEGED)(`the user option: ${UNPRIVILEGED?.name ?? 'no unprivileged account'}`, () => {
  it('logs in as that account, with a base directory it owns', async () => {
    const account = UNPRIVILEGED!;
    const fleet = await startSshHosts(1, { user: account.name });
    closeWhenTestFinishes(fleet.stop);
    const host = fleet.hosts[0]!;
    expect(host.user).toBe(account.name);
    const result = await ssh(fleet, host, `id -un; echo $HOME; touch ${host.baseDir}/mine`);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe(`${account.name}\n${account.home}\n`);
    expect((await stat(join(host.baseDir, 'mine'))).uid).toBe(account.uid);
  });
});

describe.skipIf(!HAS_SSHD && !process.env.CI)('no sshd outlives its fleet', () => {
  it('stop ends every sshd of the fleet, sessions included, and removes its directory', async () => {
    const fleet = await startSshHosts(2);
    closeWhenTestFinishes(fleet.stop);
    const root = join(fleet.identityFile, '..');
    const session = spawn('ssh', ['-F', fleet.sshConfigFile, 'host2', 'echo $$; exec sleep 300'], {
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    closeWhenTestFinishes(async () => {
      session.kill('SIGKILL');
    });
    await new Promise((resolve) => session.stdout.once('data', resolve));
    const listeners = fleet.hosts.map((h) => h.pid);
    const everything = [...listeners, ...listeners.flatMap(descendants)];
    expect(everything.length).toBeGreaterThan(listeners.length);
    expect(sshdsOf(root).sort()).toEqual([...listeners].sort());

    await fleet.stop();
    expect(everything.filter((pid) => !isGone(pid))).toEqual([]);
    expect(sshdsOf(root)).toEqual([]);
    expect(existsSync(root)).toBe(false);
    await fleet.stop();
  });

  // the harness as a test process uses it, in a node of its own that dies without calling stop()
  const owner = (ending: string) =>
    [
      `import { startSshHosts } from ${JSON.stringify(BUILT)};`,
      'const fleet = await startSshHosts(2);',
      'console.log(JSON.stringify({ pids: fleet.hosts.map((h) => h.pid), root: fleet.identityFile }));',
      ending,
    ].join('\n');

  async function startOwner(ending: string) {
    const child = spawn(process.execPath, ['--input-type=module', '-e', owner(ending)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    closeWhenTestFinishes(async () => {
      child.kill('SIGKILL');
    });
    let stderr = '';
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    const started = await new Promise<{ pids: number[]; root: string }>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (chunk) => {
        out += chunk;
        if (out.includes('\n')) resolve(JSON.parse(out));
      });
      child.once('exit', () => reject(new Error(`the owner ended before its fleet started: ${stderr}`)));
    });
    return { child, exited, pids: started.pids, root: join(started.root, '..') };
  }

  it('a test process that crashes (uncaught error) takes its sshd hosts and their directory with it', async () => {
    const owner = await startOwner("setTimeout(() => { throw new Error('test crashed'); }, 10);");
    expect(owner.pids.every((pid) => !isGone(pid))).toBe(true);
    await owner.exited;
    expect(await waitGone(owner.pids, 10_000)).toBe(true);
    expect(existsSync(owner.root)).toBe(false);
  });

  it('a test process killed with SIGKILL takes its sshd hosts with it', async () => {
    const owner = await startOwner('setInterval(() => {}, 1000);');
    closeWhenTestFinishes(async () => {
      await runCommand('rm', ['-rf', owner.root]);
    });
    expect(owner.pids.every((pid) => !isGone(pid))).toBe(true);
    owner.child.kill('SIGKILL');
    await owner.exited;
    expect(await waitGone(owner.pids, 10_000)).toBe(true);
    expect(sshdsOf(owner.root)).toEqual([]);
  });
});
