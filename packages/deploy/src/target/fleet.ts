import { UsageError } from '@tempered/core';
import type { DeployConfig, RolloutConfig } from '../section.js';
import { LocalTarget } from './LocalTarget.js';
import { SshSession } from './ssh/SshSession.js';
import { SshTarget } from './ssh/SshTarget.js';
import type { DeployTarget } from './types.js';

/** One host of a fleet and the target that reaches it. */
export interface FleetHost {
  /** Empty for the local target: its actions keep their plain ids. */
  name: string;
  labels: string[];
  target: DeployTarget;
  /** The health check URL for this host (the template filled in). */
  healthUrl?: string | undefined;
}

/**
 * What a release acts on: every host of the target, and how to roll out across them. A local
 * directory is a fleet of one, so release, rollback, status and unlock have one code path.
 */
export interface Fleet {
  /** Stable over runs and host selections: names the fleet lock and the journal. */
  id: string;
  display: string;
  hosts: FleetHost[];
  rollout: RolloutConfig;
}

/** Narrows a run to some hosts: `--hosts web1,web2`, `--labels canary`. */
export interface HostSelection {
  hosts?: string[] | undefined;
  labels?: string[] | undefined;
}

/** `--hosts a,b` and `--labels x` as given on the command line. */
export function hostSelection(flags: {
  hosts?: string | undefined;
  labels?: string | undefined;
}): HostSelection {
  const list = (value: string | undefined) =>
    value
      ?.split(',')
      .map((item) => item.trim())
      .filter((item) => item !== '');
  return { hosts: list(flags.hosts), labels: list(flags.labels) };
}

/** The one place that knows the kinds of target. */
export function createFleet(config: DeployConfig, selection: HostSelection = {}): Fleet {
  const { target } = config;
  if (target.type === 'local') {
    if (selection.hosts?.length || selection.labels?.length) {
      throw new UsageError(
        '--hosts and --labels select hosts of an SSH target; this target is a local directory',
        {
          hint: 'drop --hosts/--labels, or set deploy.target.type: ssh',
        },
      );
    }
    const local = new LocalTarget(target.path);
    return {
      id: local.id,
      display: local.display,
      hosts: [{ name: '', labels: [], target: local }],
      rollout: { ...config.rollout, concurrency: 1 },
    };
  }
  const all = target.hosts;
  const known = new Set(all.map((h) => h.name));
  const canary = config.rollout.strategy === 'canary' ? config.rollout.canary : undefined;
  if (
    canary !== undefined &&
    !(canary.startsWith('label:')
      ? all.some((h) => h.labels.includes(canary.slice('label:'.length)))
      : known.has(canary))
  ) {
    throw new UsageError(`deploy.rollout.canary "${canary}" names no host of this target`, {
      hint: `use a host's name (${[...known].join(', ')}) or label:<label>`,
    });
  }
  for (const name of selection.hosts ?? []) {
    if (!known.has(name)) {
      throw new UsageError(`--hosts names ${name}, which is not a host of this target`, {
        hint: `the hosts are: ${[...known].join(', ')}`,
      });
    }
  }
  const chosen = all.filter(
    (h) =>
      (!selection.hosts?.length || selection.hosts.includes(h.name)) &&
      (!selection.labels?.length || selection.labels.some((label) => h.labels.includes(label))),
  );
  if (chosen.length === 0) {
    throw new UsageError(`no host has the labels ${selection.labels?.join(', ')}`, {
      hint: 'check --labels against deploy.target.hosts[].labels',
    });
  }
  const hosts = chosen.map((endpoint) => ({
    name: endpoint.name,
    labels: endpoint.labels,
    target: new SshTarget(new SshSession(endpoint, target.ssh), target.ssh.lockTtlMs),
    healthUrl: endpoint.healthUrl,
  }));
  const id = `ssh:${all
    .map((h) => `${h.user ? `${h.user}@` : ''}${h.host}${h.port ? `:${h.port}` : ''}${h.path}`)
    .sort()
    .join(',')}`;
  const display =
    hosts.length === all.length ? `${hosts.length} host(s)` : `${hosts.length} of ${all.length} host(s)`;
  return {
    id,
    display: `${display}: ${hosts.map((h) => h.name).join(', ')}`,
    hosts,
    rollout: config.rollout,
  };
}

/**
 * The waves of a rollout, in order: a host starts only once every host of the waves before it
 * is switched and healthy.
 */
export function rolloutWaves(fleet: Pick<Fleet, 'hosts' | 'rollout'>): string[][] {
  const names = fleet.hosts.map((h) => h.name);
  const { rollout } = fleet;
  if (names.length <= 1 || rollout.strategy === 'parallel') return [names];
  if (rollout.strategy === 'canary') {
    const spec = rollout.canary;
    const canaries =
      spec === undefined
        ? [names[0]!]
        : spec.startsWith('label:')
          ? fleet.hosts.filter((h) => h.labels.includes(spec.slice('label:'.length))).map((h) => h.name)
          : names.filter((name) => name === spec);
    // a canary outside the chosen hosts (--hosts): the chosen ones go together
    if (canaries.length === 0 || canaries.length === names.length) return [names];
    return [canaries, names.filter((name) => !canaries.includes(name))];
  }
  const size = batchSize(rollout.batch, names.length);
  const waves: string[][] = [];
  for (let i = 0; i < names.length; i += size) waves.push(names.slice(i, i + size));
  return waves;
}

function batchSize(batch: number | string, count: number): number {
  if (typeof batch === 'number') return Math.max(1, batch);
  const percent = Number(batch.replace('%', ''));
  return Math.max(1, Math.floor((count * percent) / 100));
}

/** Hosts at once within a wave. */
export function rolloutConcurrency(fleet: Pick<Fleet, 'hosts' | 'rollout'>): number {
  if (fleet.rollout.strategy === 'rolling') return Math.max(...rolloutWaves(fleet).map((w) => w.length));
  return Math.max(1, Math.min(fleet.rollout.concurrency, fleet.hosts.length));
}
