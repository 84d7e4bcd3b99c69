import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, onTestFinished, vi } from 'vitest';
import { messages, runCli, runCommand, startCli, tempWorkspace, type Workspace } from '../src/index.js';

const FIXTURE = fileURLToPath(new URL('./fixtures/cli.mjs', import.meta.url));

const fixtureWorkspace = (): Promise<Workspace> =>
  tempWorkspace({ prefix: 'testkit-it-', cli: { bin: FIXTURE, name: 'fixture' } });

describe('runCli', () => {
  it('resolves with the exit code, stdout, and stderr as JSON log lines', async () => {
    const result = await runCli(FIXTURE, ['log', 'one', 'out', 'hello', 'log', 'two', 'exit', '3']);

    expect(result.code).toBe(3);
    expect(result.signal).toBeNull();
    expect(result.stdout).toBe('hello\n');
    expect(messages(result)).toEqual(['one', 'two']);
    expect(result.logs[0]).toMatchObject({ level: 30, msg: 'one', time: expect.any(Number) });
  });

  it('is strict about stderr: a line that is not JSON fails `logs`, naming the line', async () => {
    const result = await runCli(FIXTURE, ['log', 'one', 'raw', 'oops', 'exit', '0']);

    expect(result.code).toBe(0);
    expect(() => result.logs).toThrow('stderr line is not JSON: "oops"');
  });

  it('runs with a clean environment: nothing leaks from the parent', async () => {
    vi.stubEnv('TEMPERED_LEAK', 'from the parent');
    onTestFinished(() => {
      vi.unstubAllEnvs();
    });

    const result = await runCli(FIXTURE, ['env', 'TEMPERED_LEAK', 'env', 'TZ', 'env', 'PATH']);

    expect(result.logs.map((line) => [line.name, line.value])).toEqual([
      ['TEMPERED_LEAK', null],
      ['TZ', 'UTC'],
      ['PATH', process.env.PATH],
    ]);
  });
});

describe('startCli', () => {
  it('waits for log lines by msg or predicate, then kill(signal) ends it and `exit` settles', async () => {
    const cli = startCli(FIXTURE, ['log', 'starting', 'wait']);

    const waiting = await cli.waitForLog('waiting');
    const starting = await cli.waitForLog((line) => line.msg.startsWith('start'));
    expect(waiting.msg).toBe('waiting');
    expect(starting.msg).toBe('starting');
    expect(cli.running).toBe(true);
    expect(cli.lines.map((line) => line.msg)).toEqual(['starting', 'waiting']);
    cli.kill('SIGTERM');
    const result = await cli.exit;

    expect(result.code).toBe(143);
    expect(messages(result)).toEqual(['starting', 'waiting', 'stopping']);
    expect(cli.running).toBe(false);
  });

  it('rejects a wait when the process exits before the line, and skips non-JSON lines while waiting', async () => {
    const cli = startCli(FIXTURE, ['raw', 'not json', 'log', 'done', 'exit', '0']);

    await expect(cli.waitForLog('never')).rejects.toThrow(/process exited \(0\) before the awaited log line/);
    await expect(cli.waitForLog('never')).rejects.toThrow(/already exited/);
    expect(await cli.waitForLog('done')).toMatchObject({ msg: 'done' });
  });

  it('rejects a wait that times out', async () => {
    const cli = startCli(FIXTURE, ['wait']);

    await expect(cli.waitForLog('never', 200)).rejects.toThrow(/no such log line within 200 ms/);
    await cli.stop();
    expect((await cli.exit).signal).toBe('SIGKILL');
  });
});

describe('runCommand', () => {
  it('runs any command, not only a node script', async () => {
    const result = await runCommand('sh', ['-c', 'echo out; echo "{\\"msg\\":\\"err\\"}" >&2; exit 4']);

    expect(result.code).toBe(4);
    expect(result.stdout).toBe('out\n');
    expect(messages(result)).toEqual(['err']);
  });
});

describe('tempWorkspace', () => {
  it('runs the CLI inside it, with HOME and XDG directories of its own', async () => {
    const ws = await fixtureWorkspace();

    const result = await ws.run(['env', 'HOME', 'env', 'XDG_STATE_HOME', 'env', 'EXTRA'], {
      env: { EXTRA: 'yes' },
    });
    const shell = await ws.runCommand('sh', ['-c', 'pwd; echo "$XDG_CONFIG_HOME"']);

    expect(result.logs.map((line) => line.value)).toEqual([ws.home, ws.stateHome, 'yes']);
    expect(ws.home.startsWith(ws.root)).toBe(true);
    expect(ws.stateDir('prod')).toBe(join(ws.stateHome, 'tempered', 'fixture', 'prod'));
    expect(shell.stdout).toBe(`${ws.root}\n${ws.path('config-home')}\n`);
  });

  it('writes files and configs, reads run records, and kills leftovers before removing itself', async () => {
    const ws = await fixtureWorkspace();
    const config = await ws.writeConfig('nested/config.json', { a: 1 });
    await ws.writeFile(join('state', 'tempered', 'fixture', 'default', 'runs', '2-b.json'), '{"n":2}');
    await ws.writeFile(join('state', 'tempered', 'fixture', 'default', 'runs', '1-a.json'), '{"n":1}');
    const leftover = ws.start(['wait']);
    await leftover.waitForLog('waiting');

    expect(config).toBe(ws.path('nested', 'config.json'));
    expect(await ws.runRecords()).toEqual([{ n: 1 }, { n: 2 }]);
    await ws.cleanup();

    expect((await leftover.exit).signal).toBe('SIGKILL');
    expect(existsSync(ws.root)).toBe(false);
  });

  it('without a CLI, says so when asked to run one', async () => {
    const ws = await tempWorkspace();

    expect(() => ws.start([])).toThrow('this workspace has no CLI');
  });
});
