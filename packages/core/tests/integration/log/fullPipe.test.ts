import { spawn } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const dist = resolve(dirname(fileURLToPath(import.meta.url)), '../../../dist/log/index.js');

// A parent that reads stderr slowly makes the child's stderr a full non-blocking pipe: writes
// answer EAGAIN or write partially. Every line must still arrive whole, and the child must not crash.
describe('logging to a slow stderr pipe', () => {
  it('delivers every line whole, without an error, when the reader lags', async () => {
    const script = `
      const { createLogger } = await import(${JSON.stringify(dist)});
      const { logger } = createLogger({ human: false });
      const pad = 'x'.repeat(2000);
      for (let i = 0; i < 400; i++) logger.info({ i, pad }, 'line');
      process.stdout.write('done\\n');
    `;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stderr.pause();
    // let the pipe fill (64 KiB) while the child writes ~800 KiB, then drain
    await new Promise((r) => setTimeout(r, 300));
    let stderr = '';
    child.stderr.on('data', (chunk) => {
      stderr += String(chunk);
    });
    child.stderr.resume();
    let stdout = '';
    child.stdout.on('data', (chunk) => {
      stdout += String(chunk);
    });
    const code = await new Promise<number | null>((r) => child.on('close', r));
    expect(code).toBe(0);
    expect(stdout).toBe('done\n');
    const lines = stderr
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { i: number });
    expect(lines.map((l) => l.i)).toEqual(Array.from({ length: 400 }, (_, i) => i));
  });
});
