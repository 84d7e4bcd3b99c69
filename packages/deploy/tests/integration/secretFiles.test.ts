// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${VAR} placeholders are the config syntax under test
/**
 * Issue 14, item 13: a `*_FILE` secret that is not a regular file. A FIFO with no writer blocked
 * `deploy status` in a synchronous read for good, deaf to SIGTERM; `/dev/zero` read until the
 * memory ran out. Both are refused at once now: exit 2, one line naming the variable and the file.
 * A --log-file that is a FIFO with no reader waited in its open the same way.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, constants, openSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Workspace } from '@tempered/testkit';
import { describe, expect, it } from 'vitest';
import { errorLine, targetOf, workspace } from './helpers.js';

/** Far below the 10+ minutes the old code hung; a refusal takes one CLI start-up. */
const PROMPT_MS = 15_000;

/** A config whose health check URL needs HC_TOKEN, which the test supplies through HC_TOKEN_FILE. */
function configWithToken(ws: Workspace): Promise<string> {
  return ws.writeConfig('deploy.json', {
    deploy: {
      target: { path: targetOf(ws) },
      healthcheck: { url: 'http://127.0.0.1:9/healthz?token=${HC_TOKEN}' },
    },
  });
}

function fifoIn(ws: Workspace): string {
  const path = ws.path('hc-token.fifo');
  execFileSync('mkfifo', [path]);
  return path;
}

/**
 * The write end of the FIFO once a reader has it open (O_NONBLOCK: ENXIO until then), held open
 * so the reader's read blocks instead of seeing end of file; undefined if the run ended first.
 */
async function whenReadingOrExited(fifo: string, running: () => boolean): Promise<number | undefined> {
  const deadline = Date.now() + PROMPT_MS;
  while (running() && Date.now() < deadline) {
    try {
      return openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK);
    } catch {
      await sleep(20);
    }
  }
  return undefined;
}

async function statusWith(ws: Workspace, tokenFile: string) {
  const config = await configWithToken(ws);
  const started = performance.now();
  const child = ws.start(['status', '--config', config], { env: { HC_TOKEN_FILE: tokenFile } });
  // the old code never ended on its own; this ends the test's wait, not the assertion
  const guard = setTimeout(() => child.running && child.kill('SIGKILL'), PROMPT_MS);
  const result = await child.exit;
  clearTimeout(guard);
  return { result, ms: performance.now() - started };
}

describe('*_FILE secrets that are not regular files', () => {
  for (const [what, tokenFile, kind] of [
    ['a FIFO with no writer', fifoIn, 'a FIFO'],
    ['/dev/zero', () => '/dev/zero', 'a character device'],
  ] as const) {
    it(`refuses ${what} at once: exit 2, one line naming the variable and the file`, async () => {
      const ws = await workspace();
      const file = tokenFile(ws);

      const { result, ms } = await statusWith(ws, file);

      expect(result.signal, `killed after ${Math.round(ms)} ms: the run hung`).toBeNull();
      expect(result.code, result.stderr).toBe(2);
      expect(ms).toBeLessThan(PROMPT_MS);
      const lines = result.stderr.trim().split('\n');
      expect(lines, result.stderr).toHaveLength(1);
      expect(errorLine(result)?.msg).toContain(
        `${ws.path('deploy.json')}: deploy.healthcheck.url: cannot read HC_TOKEN_FILE=${file}: ${kind}, not a regular file`,
      );
    });
  }

  it('refuses a secret file over 64 KiB', async () => {
    const ws = await workspace();
    const file = ws.path('hc-token');
    await writeFile(file, 'x'.repeat(64 * 1024 + 1));

    const { result } = await statusWith(ws, file);

    expect(result.code, result.stderr).toBe(2);
    expect(errorLine(result)?.msg).toMatch(
      /cannot read HC_TOKEN_FILE=\S+: larger than the 64 KiB limit \(hint/,
    );
  });

  it('still reads a regular secret file', async () => {
    const ws = await workspace();
    const file = ws.path('hc-token');
    await writeFile(file, 'tok-0123456789\n');

    const { result } = await statusWith(ws, file);

    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).not.toContain('tok-0123456789');
  });

  it('is never left running past a SIGTERM while a FIFO is named', async () => {
    const ws = await workspace();
    const config = await configWithToken(ws);
    const fifo = fifoIn(ws);
    const child = ws.start(['status', '--config', config], { env: { HC_TOKEN_FILE: fifo } });
    // SIGTERM once the run is reading the FIFO (a writer can open it: the reader is there), or
    // not at all if it refused it first; the writer stays open, so a read waits as it would
    const writer = await whenReadingOrExited(fifo, () => child.running);
    if (child.running) child.kill('SIGTERM');
    const guard = setTimeout(() => child.running && child.kill('SIGKILL'), 5_000);
    const result = await child.exit;
    clearTimeout(guard);
    if (writer !== undefined) closeSync(writer);

    expect(result.signal, 'SIGTERM did not end the run; only SIGKILL did').not.toBe('SIGKILL');
    expect([2, 143]).toContain(result.code);
  });

  it('refuses a --log-file that is a FIFO with no reader at once (opening it waited for a reader)', async () => {
    const ws = await workspace();
    const config = await ws.writeConfig('deploy.json', { deploy: { target: { path: targetOf(ws) } } });
    const fifo = fifoIn(ws);
    const child = ws.start(['status', '--config', config, '--log-file', fifo]);
    const guard = setTimeout(() => child.running && child.kill('SIGKILL'), PROMPT_MS);
    const result = await child.exit;
    clearTimeout(guard);

    expect(result.signal, 'the run hung').toBeNull();
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr.trim().split('\n'), result.stderr).toHaveLength(1);
    expect(errorLine(result)?.msg).toContain(`cannot open log file ${fifo}: a FIFO with no reader`);
  });
});
