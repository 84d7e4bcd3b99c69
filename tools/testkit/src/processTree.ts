import { readdirSync, readFileSync } from 'node:fs';

// Linux only (/proc): the sshd harness is the only user, and sshd hosts exist only there.

interface ProcStat {
  ppid: number;
  state: string;
}

function readStat(pid: number): ProcStat | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so split after the last ')'
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return { state: fields[0] ?? '', ppid: Number(fields[1]) };
}

/** Every live process below `pid` (children, their children...), read from /proc now. */
export function descendants(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readStat(Number(entry));
    if (!stat || stat.state === 'Z') continue;
    const list = children.get(stat.ppid) ?? [];
    list.push(Number(entry));
    children.set(stat.ppid, list);
  }
  const found: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    for (const child of children.get(queue.shift()!) ?? []) {
      found.push(child);
      queue.push(child);
    }
  }
  return found;
}

/**
 * Whether the process has ended. A zombie counts as ended: an orphan is re-parented to PID 1, and
 * in a container PID 1 may never reap it.
 */
export function isGone(pid: number): boolean {
  const stat = readStat(pid);
  return stat === undefined || stat.state === 'Z';
}

function send(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}

/**
 * Sends `signal` to `pid` and everything below it, as one event: the tree is frozen (SIGSTOP)
 * first, so no process forks a child we miss and no child is re-parented away from the tree
 * before it is signalled; then thawed so a catchable signal is delivered. Returns the pids signalled.
 */
export function signalTree(pid: number, signal: NodeJS.Signals): number[] {
  const frozen: number[] = [];
  const seen = new Set<number>();
  for (let pending = [pid]; pending.length > 0; ) {
    for (const p of pending) {
      seen.add(p);
      frozen.push(p);
      send(p, 'SIGSTOP');
    }
    pending = [pid, ...descendants(pid)].filter((p) => !seen.has(p) && !isGone(p));
  }
  for (const p of frozen) send(p, signal);
  for (const p of frozen) send(p, 'SIGCONT');
  return frozen;
}

/** Resolves true once every pid has ended, false after `timeoutMs`. */
export async function waitGone(pids: number[], timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (pids.every(isGone)) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
