import { spawn } from 'node:child_process';
import type { Readable } from 'node:stream';
import type { ExecOptions, ExecResult } from './types.js';

/** After SIGTERM on timeout, this long before SIGKILL. */
const KILL_GRACE_MS = 3_000;
/** After the shell exits, this long for its output pipes to drain (a background child may hold them). */
const DRAIN_MS = 250;
/**
 * A line is handed on whole up to this length, in pieces of it beyond: one runaway line must not
 * hold the whole output in memory. Cutting it to what a log line shows is the receiver's job,
 * after masking: a secret cut in half here would no longer be recognised, and half of it shown.
 */
const MAX_READ_LINE = 64 * 1024;

// process groups of hooks still running: killed if this process exits (a second Ctrl-C) first
const running = new Set<number>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const pid of running) killGroup(pid, 'SIGKILL');
  });
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

/**
 * `/bin/sh -c command` in `cwd`, in its own process group so a timeout kills everything it
 * started (SIGTERM, then SIGKILL). Output is handed over line by line; nothing is buffered whole.
 */
export function runShell(command: string, cwd: string, options: ExecOptions): Promise<ExecResult> {
  installExitHook();
  const started = performance.now();
  return new Promise<ExecResult>((resolve, reject) => {
    const child = spawn('/bin/sh', ['-c', command], {
      cwd,
      env: options.env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let timedOut = false;
    let killTimer: NodeJS.Timeout | undefined;
    const timer = setTimeout(() => {
      timedOut = true;
      if (child.pid !== undefined) {
        killGroup(child.pid, 'SIGTERM');
        killTimer = setTimeout(
          () => child.pid !== undefined && killGroup(child.pid, 'SIGKILL'),
          KILL_GRACE_MS,
        );
      }
    }, options.timeoutMs);
    if (child.pid !== undefined) running.add(child.pid);

    const streams = [
      pipeLines(child.stdout, (line) => options.onLine('stdout', line)),
      pipeLines(child.stderr, (line) => options.onLine('stderr', line)),
    ];
    child.on('error', (error) => {
      clearTimeout(timer);
      if (child.pid !== undefined) running.delete(child.pid);
      reject(error);
    });
    child.on('exit', (exitCode, signal) => {
      clearTimeout(timer);
      clearTimeout(killTimer);
      if (child.pid !== undefined) running.delete(child.pid);
      const finish = () =>
        resolve({ exitCode, signal, timedOut, durationMs: Math.round(performance.now() - started) });
      // normally the pipes close with the shell; a daemon started in the background may keep
      // them open, and must not hold the deploy: stop reading after a short drain
      const drained = Promise.all(streams.map((s) => s.closed));
      const cutoff = setTimeout(() => {
        for (const s of streams) s.stop();
        finish();
      }, DRAIN_MS);
      void drained.then(() => {
        clearTimeout(cutoff);
        for (const s of streams) s.flush();
        finish();
      });
    });
  });
}

function pipeLines(stream: Readable | null, onLine: (line: string) => void) {
  let partial = '';
  const closed = new Promise<void>((resolve) => {
    if (!stream) return resolve();
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      const lines = (partial + chunk).split(/\r?\n/);
      partial = lines.pop() ?? '';
      if (partial.length > MAX_READ_LINE) {
        onLine(partial);
        partial = '';
      }
      for (const line of lines) onLine(line);
    });
    stream.on('close', () => resolve());
    stream.on('error', () => resolve());
  });
  return {
    closed,
    flush() {
      if (partial !== '') onLine(partial);
      partial = '';
    },
    stop() {
      this.flush();
      stream?.destroy();
    },
  };
}
