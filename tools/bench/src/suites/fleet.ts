import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SshFleet, SshHost } from '@tempered/testkit';
import type { Command } from '../measure.js';
import { builtClis } from '../paths.js';
import { type PairResult, runPair } from '../runPair.js';

/** Issue 18: a parallel deploy to 10 hosts at most this many times a deploy to 1 host. */
const MAX_FLEET_RATIO = 1.5;
/** Issue 18: a no-op redeploy (same artifact) to 10 hosts within this many ms. */
const MAX_NOOP_MS = 2000;
const SSHD = '/usr/sbin/sshd';
const VERSION = 'bench';

interface Sizes {
  hosts: number;
  files: number;
  fileBytes: number;
  runs: number;
  /** No-op runs are shorter: more of them in about the same time. */
  noOpRuns: number;
  warmup: number;
}

// no warm-up: a run takes seconds of SSH work, against ~40 ms for the CLI's cold code cache
const FULL: Sizes = { hosts: 10, files: 50, fileBytes: 1024 * 1024, runs: 3, noOpRuns: 5, warmup: 0 };
// the smoke version in the test suite: every step once, as little time as that takes
const QUICK: Sizes = { hosts: 2, files: 4, fileBytes: 256 * 1024, runs: 1, noOpRuns: 1, warmup: 0 };

/**
 * deploy to a fleet of real sshd hosts on this machine (tools/testkit's startSshHosts), strategy
 * parallel: a random (incompressible) artifact to every host against the same to one host, and a
 * no-op redeploy of it to every host. Skips, saying why, without sshd or a built deploy.
 */
export async function fleetSuite(options: { quick: boolean }): Promise<PairResult[]> {
  const cli = builtClis().find((c) => c.name === 'deploy');
  if (!existsSync(SSHD)) {
    process.stderr.write(
      `fleet suite skipped: needs OpenSSH's server (${SSHD}; apt-get install openssh-server)\n`,
    );
    return [];
  }
  if (!cli) {
    process.stderr.write('fleet suite skipped: needs packages/deploy built\n');
    return [];
  }
  const sizes = options.quick ? QUICK : FULL;
  const loadBefore = uptime();
  process.stderr.write(`  load before: ${loadBefore}\n`);
  // lazily: only this suite needs sshd hosts
  const { startSshHosts } = await import('@tempered/testkit');
  const fleet = await startSshHosts(sizes.hosts);
  const work = mkdtempSync(join(tmpdir(), 'tempered-bench-fleet-'));
  try {
    const artifact = makeArtifact(work, sizes);
    const megabytes = Math.round((sizes.files * sizes.fileBytes) / 2 ** 20);
    const deploy = new FleetDeploy(fleet, work, cli.bin, artifact);
    const results = [
      runPair(
        'fleet',
        `deploy of a ${megabytes} MB artifact, parallel, ${sizes.hosts} hosts vs 1 host`,
        deploy.fresh(`deploy to ${sizes.hosts} hosts`, fleet.hosts),
        deploy.fresh('deploy to 1 host', fleet.hosts.slice(0, 1)),
        { runs: sizes.runs, warmup: sizes.warmup, maxRatio: MAX_FLEET_RATIO },
      ),
      noOpRedeploy(deploy, fleet, sizes, megabytes),
    ];
    const loadAfter = uptime();
    process.stderr.write(`  load after: ${loadAfter}\n`);
    for (const result of results) result.name += `; load before: ${loadBefore}; after: ${loadAfter}`;
    return results;
  } finally {
    await fleet.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

/** The same artifact again to every host, against the same to one host; the target is on the former alone. */
function noOpRedeploy(deploy: FleetDeploy, fleet: SshFleet, sizes: Sizes, megabytes: number): PairResult {
  const all = deploy.deployed(`no-op redeploy to ${sizes.hosts} hosts`, fleet.hosts);
  const one = deploy.deployed('no-op redeploy to 1 host', fleet.hosts.slice(0, 1));
  const result = runPair(
    'fleet',
    `no-op redeploy of the ${megabytes} MB artifact, ${sizes.hosts} hosts vs 1 host`,
    all,
    one,
    { runs: sizes.noOpRuns, warmup: sizes.warmup },
  );
  result.target = `${sizes.hosts} hosts <= ${MAX_NOOP_MS} ms`;
  result.met = result.subject.medianMs <= MAX_NOOP_MS;
  return result;
}

/** Random data does not compress: the bytes sent are the artifact's size, as for a real build. */
function makeArtifact(work: string, sizes: Sizes): string {
  const dir = join(work, 'artifact');
  mkdirSync(join(dir, 'data'), { recursive: true });
  writeFileSync(join(dir, 'version'), `${VERSION}\n`);
  for (let i = 0; i < sizes.files; i++)
    writeFileSync(join(dir, 'data', `blob-${i}.bin`), randomBytes(sizes.fileBytes));
  return dir;
}

/** Builds the timed commands: each writes its config (a base directory per host) before it runs. */
class FleetDeploy {
  #bases = 0;
  readonly #env: NodeJS.ProcessEnv;

  constructor(
    private readonly fleet: SshFleet,
    private readonly work: string,
    private readonly bin: string,
    private readonly artifact: string,
  ) {
    const home = join(work, 'home');
    mkdirSync(home, { recursive: true });
    this.#env = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: home,
      XDG_STATE_HOME: join(work, 'state-home'),
      LANG: 'C.UTF-8',
      TZ: 'UTC',
    };
  }

  /** A first deploy into a fresh, empty base directory on each host; removed after each run. */
  fresh(label: string, hosts: readonly SshHost[]): Command {
    const config = this.#configPath(label);
    let base = '';
    return {
      ...this.#command(label, config),
      before: () => {
        base = this.#newBase();
        this.#writeConfig(config, hosts, base);
      },
      after: () => {
        for (const host of hosts) {
          expectCurrent(host, base);
          rmSync(join(host.baseDir, base), { recursive: true, force: true });
        }
      },
    };
  }

  /** The same artifact into a base directory it was deployed to once, untimed, beforehand. */
  deployed(label: string, hosts: readonly SshHost[]): Command {
    const config = this.#configPath(label);
    const base = this.#newBase();
    this.#writeConfig(config, hosts, base);
    const command = this.#command(label, config);
    execFileSync(command.argv[0]!, command.argv.slice(1), {
      env: this.#env,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const switched = hosts.map((host) => lstatSync(join(host.baseDir, base, 'current')).ino);
    return {
      ...command,
      // a no-op must leave every host's `current` as it was: not even switched to the same release
      after: () => {
        hosts.forEach((host, i) => {
          expectCurrent(host, base);
          if (lstatSync(join(host.baseDir, base, 'current')).ino !== switched[i])
            throw new Error(`${label}: ${host.name} was switched again by a no-op redeploy`);
        });
      },
    };
  }

  #command(label: string, config: string): Command {
    return {
      label,
      argv: [
        process.execPath,
        this.bin,
        'release',
        this.artifact,
        '--version',
        VERSION,
        '--config',
        config,
        '--log-level',
        'error',
      ],
      env: this.#env,
      cwd: this.#env.HOME,
    };
  }

  #newBase(): string {
    this.#bases += 1;
    return `bench-${this.#bases}`;
  }

  #configPath(label: string): string {
    return join(this.work, `${label.replace(/[^a-z0-9]+/gi, '-')}.json`);
  }

  #writeConfig(file: string, hosts: readonly SshHost[], base: string): void {
    const config = {
      deploy: {
        target: {
          type: 'ssh',
          hosts: hosts.map((h) => ({ host: h.name, path: join(h.baseDir, base) })),
          ssh: { config: this.fleet.sshConfigFile },
        },
        rollout: { strategy: 'parallel', concurrency: hosts.length },
      },
    };
    writeFileSync(file, `${JSON.stringify(config, null, 2)}\n`);
  }
}

function expectCurrent(host: SshHost, base: string): void {
  const current = readlinkSync(join(host.baseDir, base, 'current'));
  if (current !== `releases/${VERSION}`)
    throw new Error(`${host.name}: current is ${current}, expected releases/${VERSION}`);
}

/** `uptime`'s load averages (1, 5, 15 min), the figure the benchmark's numbers must be read with. */
function uptime(): string {
  try {
    const line = execFileSync('uptime', { encoding: 'utf8' }).trim();
    return line.replace(/^.*load average:\s*/, '');
  } catch {
    return 'unknown (no uptime)';
  }
}
