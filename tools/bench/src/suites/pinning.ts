import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** How the state suite splits the machine: the server on one core, its clients on another. */
export interface Pinning {
  /** Prefix for every client command line (empty when not pinned). */
  readonly clientPrefix: string[];
  /** One line for the output: what was pinned where, or why nothing was. */
  readonly description: string;
}

const SERVER_CPU = 0;
const CLIENT_CPU = 1;

/**
 * On a small machine the server and the client processes fight for the same cores, so a figure
 * measures the scheduler as much as the backend. With taskset and at least two CPUs, pins the
 * postmaster and its processes to CPU 0 (backends forked later inherit it) and returns a prefix
 * that starts clients on CPU 1; otherwise pins nothing and says why.
 */
export function pinServerAndClients(dataDirectory: string): Pinning {
  const taskset = spawnSync('taskset', ['--version'], { encoding: 'utf8' });
  if (taskset.error || taskset.status !== 0) {
    return { clientPrefix: [], description: 'not pinned: taskset not found (util-linux)' };
  }
  const allowed = spawnSync('taskset', ['-c', '-p', String(process.pid)], { encoding: 'utf8' });
  const cpus = parseCpuList(allowed.stdout.split(':').pop() ?? '');
  if (!(cpus.has(SERVER_CPU) && cpus.has(CLIENT_CPU))) {
    return { clientPrefix: [], description: `not pinned: needs CPUs ${SERVER_CPU} and ${CLIENT_CPU}` };
  }
  const postmaster = readFileSync(join(dataDirectory, 'postmaster.pid'), 'utf8').split('\n')[0]?.trim();
  if (!postmaster) return { clientPrefix: [], description: 'not pinned: no postmaster pid' };
  const children = spawnSync('pgrep', ['-P', postmaster], { encoding: 'utf8' }).stdout.split('\n');
  for (const pid of [postmaster, ...children].map((p) => p.trim()).filter(Boolean)) {
    const pinned = spawnSync('taskset', ['-a', '-p', '-c', String(SERVER_CPU), pid], { encoding: 'utf8' });
    if (pinned.status !== 0 && pid === postmaster) {
      return { clientPrefix: [], description: `not pinned: taskset failed: ${pinned.stderr.trim()}` };
    }
  }
  return {
    clientPrefix: ['taskset', '-c', String(CLIENT_CPU)],
    description: `PostgreSQL pinned to CPU ${SERVER_CPU}, clients to CPU ${CLIENT_CPU} (taskset)`,
  };
}

/** "0-3,5" -> {0,1,2,3,5}. */
export function parseCpuList(list: string): Set<number> {
  const cpus = new Set<number>();
  for (const part of list.trim().split(',')) {
    const [from, to] = part.split('-').map(Number);
    if (from === undefined || !Number.isInteger(from)) continue;
    for (let cpu = from; cpu <= (Number.isInteger(to) ? to! : from); cpu++) cpus.add(cpu);
  }
  return cpus;
}
