/**
 * Selecting the state backend, through the built CLI. The PostgreSQL server here is one that is
 * not there (a port where nothing listens): every run opens its store first, so each is refused
 * with exit 75 before anything is read, planned or written, and the URL's password is never
 * printed. These hold whether the PostgreSQL backend is a placeholder or the real one.
 */
import { access, readFile } from 'node:fs/promises';
import type { CliResult, Workspace } from '@tempered/testkit';
import { describe, expect, it } from 'vitest';
import { workspace } from './helpers.js';
import { makeTree, snapshot } from './trees.js';

const PASSWORD = 's3cret-pw';
/** Port 1 on loopback: nothing listens, so a connection is refused at once. */
const DEAD_URL = `postgres://tempered:${PASSWORD}@127.0.0.1:1/x`;
/** Keeps a real backend's retries of the refused connection short. */
const FAST_RETRY = { maxAttempts: 2, baseDelay: '10ms', maxDelay: '50ms', deadline: '10s' };

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

/** The one error line a refused run logs; its message is one line. */
function errorLine(result: CliResult): Record<string, unknown> {
  const errors = result.logs.filter((line) => line.level === 50);
  expect(errors, result.stderr).toHaveLength(1);
  const [error] = errors;
  expect(String(error?.msg)).not.toContain('\n');
  return error as Record<string, unknown>;
}

async function setUp(state: unknown): Promise<{ ws: Workspace; src: string; dst: string; config: string }> {
  const ws = await workspace();
  const src = ws.path('src');
  const dst = ws.path('dst');
  await makeTree(src, { 'a.txt': 'a\n', 'dir/b.txt': 'b\n' });
  const config = await ws.writeConfig('conf/state.json', { state, retry: FAST_RETRY });
  return { ws, src, dst, config };
}

describe('state backend selection', () => {
  for (const dryRun of [false, true]) {
    it(`an unreachable PostgreSQL backend: ${dryRun ? 'a dry-run' : 'a real run'} exits 75 with one line, writes no state, never prints the password`, async () => {
      const { ws, src, dst, config } = await setUp({ backend: 'postgres', url: DEAD_URL });
      const logFile = ws.path('logs', 'run.log');

      const result = await ws.run([
        'sync',
        src,
        dst,
        '--config',
        config,
        '--log-file',
        logFile,
        ...(dryRun ? ['--dry-run'] : []),
      ]);

      expect(result.code, result.stderr).toBe(75);
      expect(errorLine(result)).toMatchObject({ exit_code: 75 });
      expect(await exists(ws.stateHome)).toBe(false);
      expect(await exists(dst)).toBe(false);
      const logged = await readFile(logFile, 'utf8');
      // the run says which backend it was given, with the URL redacted
      expect(logged).toContain('127.0.0.1:1/x');
      expect(logged).toContain('"backend":"postgres"');
      for (const output of [result.stdout, result.stderr, logged]) expect(output).not.toContain(PASSWORD);
    });
  }

  it('TEMPERED_STATE_URL alone selects PostgreSQL; --json carries the error, without the password', async () => {
    const { ws, src, dst } = await setUp(undefined);
    const result = await ws.run(['sync', src, dst, '--json'], { env: { TEMPERED_STATE_URL: DEAD_URL } });
    expect(result.code, result.stderr).toBe(75);
    expect(JSON.parse(result.stdout)).toMatchObject({ status: 'error', error: { exitCode: 75 } });
    expect(await exists(ws.stateHome)).toBe(false);
    expect(result.stdout + result.stderr).not.toContain(PASSWORD);
  });

  it('--state-url selects PostgreSQL over a file backend in the config; the password stays masked in argv', async () => {
    const { ws, src, dst, config } = await setUp({ backend: 'file' });
    const result = await ws.run(['sync', src, dst, '--config', config, '--state-url', DEAD_URL]);
    expect(result.code, result.stderr).toBe(75);
    expect(result.logs.find((line) => line.msg === 'run started')).toBeDefined();
    expect(await exists(ws.stateHome)).toBe(false);
    expect(result.stdout + result.stderr).not.toContain(PASSWORD);
  });

  it('stats on the PostgreSQL backend opens the store too: exit 75', async () => {
    const { ws, config } = await setUp({ backend: 'postgres', url: DEAD_URL });
    const result = await ws.run(['stats', '--config', config]);
    expect(result.code, result.stderr).toBe(75);
    expect(result.stdout + result.stderr).not.toContain(PASSWORD);
  });

  it('postgres without a url is exit 2, one line naming state.url and TEMPERED_STATE_URL', async () => {
    const { ws, src, dst, config } = await setUp({ backend: 'postgres' });
    const result = await ws.run(['sync', src, dst, '--config', config]);
    expect(result.code, result.stderr).toBe(2);
    const error = errorLine(result);
    expect(error.msg).toContain('state.url');
    expect(error.msg).toContain('TEMPERED_STATE_URL');
    expect(await exists(ws.stateHome)).toBe(false);
  });

  it('a bad backend value is exit 2, one line naming state.backend', async () => {
    const { ws, src, dst, config } = await setUp({ backend: 'mysql', url: DEAD_URL });
    const result = await ws.run(['sync', src, dst, '--config', config]);
    expect(result.code, result.stderr).toBe(2);
    expect(errorLine(result).msg).toContain('state.backend');
    expect(result.stdout + result.stderr).not.toContain(PASSWORD);
  });

  it('a url that is not postgres:// is exit 2 naming the key (config, env var or flag), password masked', async () => {
    const { ws, src, dst, config } = await setUp({ url: `mysql://root:${PASSWORD}@db/x` });
    const inFile = await ws.run(['sync', src, dst, '--config', config]);
    expect(inFile.code, inFile.stderr).toBe(2);
    expect(errorLine(inFile).msg).toContain('state.url');

    const inEnv = await ws.run(['sync', src, dst], {
      env: { TEMPERED_STATE_URL: `https://root:${PASSWORD}@db/x` },
    });
    expect(inEnv.code, inEnv.stderr).toBe(2);
    expect(errorLine(inEnv).msg).toContain('TEMPERED_STATE_URL');

    const inFlag = await ws.run(['sync', src, dst, '--state-url', 'db.internal:5432']);
    expect(inFlag.code, inFlag.stderr).toBe(2);
    expect(errorLine(inFlag).msg).toContain('--state-url');

    for (const result of [inFile, inEnv, inFlag]) {
      expect(result.stdout + result.stderr).not.toContain(PASSWORD);
    }
    expect(await exists(ws.stateHome)).toBe(false);
  });

  it('state: {backend: file} is the default: the run syncs and records under the state dir', async () => {
    const { ws, src, dst, config } = await setUp({ backend: 'file' });
    const result = await ws.run(['sync', src, dst, '--config', config]);
    expect(result.code, result.stderr).toBe(0);
    expect(Object.keys(await snapshot(dst)).sort()).toEqual(['a.txt', 'dir', 'dir/b.txt']);
    expect((await ws.runRecords()).map((record) => record.status)).toEqual(['success']);
  });
});
