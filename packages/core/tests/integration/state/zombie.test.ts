import { spawn } from 'node:child_process';
import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import { isZombie, ownerLiveness, readProcStart } from '../../../src/state/index.js';

// A real zombie: a child that has exited but that nobody has reaped yet. Node reaps its children
// through libuv, so the zombie is made by a shell that execs into a sleeper after forking a child
// that exits a moment later (after the exec, so the shell cannot reap it): the sleeper never waits for it.
describe('lock owner liveness of a zombie', () => {
  it('counts an exited but unreaped process as dead', async () => {
    const parent = spawn('/bin/sh', ['-c', '(sleep 0.3; exit 0) & echo $!; exec sleep 30'], {
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    try {
      const pid = await new Promise<number>((resolve) =>
        parent.stdout.once('data', (chunk) => resolve(Number(String(chunk).trim()))),
      );
      // the child exits at once; wait (bounded) for the kernel to mark it Z
      for (let i = 0; i < 500 && !isZombie(pid); i++) await new Promise((r) => setTimeout(r, 10));
      expect(isZombie(pid)).toBe(true);
      const owner = {
        pid,
        host: hostname(),
        runId: 'r',
        startedAt: new Date().toISOString(),
        procStart: readProcStart(pid),
      };
      expect(ownerLiveness(owner)).toBe('dead');
      expect(ownerLiveness({ ...owner, pid: process.pid, procStart: readProcStart(process.pid) })).toBe(
        'alive',
      );
    } finally {
      parent.kill('SIGKILL');
    }
  });
});
