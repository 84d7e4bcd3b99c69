/** Issue 14, item 14: secrets a run may print without the config reading them. Real files and a real FIFO. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { registerSecretEnv } from '../../../src/config/index.js';
import { REDACTED, Redactor } from '../../../src/log/index.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tempered-secret-env-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('registerSecretEnv', () => {
  it('registers values by the name rule, listed names, and *_FILE contents', async () => {
    writeFileSync(join(dir, 'token'), 'file-secret-123\n');
    const redactor = new Redactor();
    await registerSecretEnv(
      {
        DB_PASSWORD: 'pw-from-env',
        GIT_AUTHOR_NAME: 'Alice Author',
        RELEASE_PIN: 'pinned-1234',
        LISTED_BY_ENV: 'listed-5678',
        TEMPERED_SECRET_VARS: 'LISTED_BY_ENV',
        API_TOKEN_FILE: join(dir, 'token'),
      },
      { redactor, extraNames: ['RELEASE_PIN'] },
    );
    expect(redactor.redactString('pw-from-env Alice Author pinned-1234 listed-5678 file-secret-123')).toBe(
      `${REDACTED} Alice Author ${REDACTED} ${REDACTED} ${REDACTED}`,
    );
    // the path is not masked, though the name says TOKEN: an error must be able to name it
    expect(redactor.redactString(join(dir, 'token'))).toBe(join(dir, 'token'));
  });

  it('leaves our own TEMPERED_* settings alone: their values, and the files they name (a log)', async () => {
    writeFileSync(join(dir, 'run.log'), 'a log line of some length');
    const redactor = new Redactor();
    await registerSecretEnv(
      { TEMPERED_LOG_FILE: join(dir, 'run.log'), TEMPERED_SECRET_VARS: 'X_Y', TEMPERED_PING: 'https://hc/x' },
      { redactor },
    );
    expect(redactor.size).toBe(0);
  });

  it('skips a *_FILE that is a FIFO, a device, missing or too large, without waiting', async () => {
    const fifo = join(dir, 'fifo');
    execFileSync('mkfifo', [fifo]);
    writeFileSync(join(dir, 'big'), 'x'.repeat(64 * 1024 + 1));
    const redactor = new Redactor();
    const started = performance.now();
    await registerSecretEnv(
      { A_FILE: fifo, B_FILE: '/dev/zero', C_FILE: join(dir, 'missing'), D_FILE: join(dir, 'big') },
      { redactor },
    );
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(redactor.size).toBe(0);
  });
});
