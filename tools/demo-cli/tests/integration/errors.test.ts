import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { type CliResult, messages, stateOf, walk } from '@tempered/testkit';
import { describe, expect, it } from 'vitest';
import { workspace } from './helpers.js';

/** A usage error a person can fix: exit 2, one error line, no stack, nothing on stdout. */
function expectOneLineError(result: CliResult, code: 'E_USAGE' | 'E_CONFIG'): string {
  expect(result.code).toBe(2);
  expect(result.stdout).toBe('');
  expect(result.stderr).not.toMatch(/\n\s+at /);
  expect(result.stderr).not.toContain('stack');
  const errors = result.logs.filter((line) => line.level >= 50);
  expect(errors).toHaveLength(1);
  expect(errors[0]).toMatchObject({ code, exit_code: 2 });
  const msg = errors[0]?.msg ?? '';
  // the level says it is an error: the message does not say it again
  expect(msg).not.toMatch(/^Error/);
  expect(msg).not.toContain('\n');
  return msg;
}

const TWO_ENVIRONMENTS = {
  environments: {
    dev: { 'tempered-demo': { files: { 'a.txt': 'dev\n' } } },
    prod: { 'tempered-demo': { files: { 'a.txt': 'prod\n' } } },
  },
};

describe('usage and config errors', () => {
  it('an unknown flag exits 2 with one line naming it, before anything is opened', async () => {
    const ws = await workspace();

    const result = await ws.run(['apply', ws.path('out'), '--bogus']);

    const msg = expectOneLineError(result, 'E_USAGE');
    expect(msg).toBe('Nonexistent flag: --bogus (hint: see --help)');
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(await walk(ws.stateHome)).toEqual([]);
  });

  it('-h is --help, for the CLI and for a command', async () => {
    const ws = await workspace();
    for (const argv of [['-h'], ['apply', '-h']]) {
      const result = await ws.run(argv);
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toContain('USAGE');
      expect(result.stderr).toBe('');
    }
  });

  it('a state directory that cannot be made is one line naming it and the setting, exit 1', async () => {
    const ws = await workspace();
    const blocker = await ws.writeFile('not-a-dir', 'a file where the state directory would go\n');

    const result = await ws.run(['apply', ws.path('out'), '--state-dir', join(blocker, 'state')]);

    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    const errors = result.logs.filter((line) => line.level >= 50);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ code: 'E_PERMANENT', exit_code: 1 });
    expect(errors[0]?.msg).toBe(
      `cannot use the state directory ${join(blocker, 'state', 'tempered-demo', 'default')}: a part of it is not a directory (hint: point --state-dir (or TEMPERED_STATE_DIR, or stateDir in the config) at a directory this user can write)`,
    );
    expect(existsSync(ws.path('out'))).toBe(false);
  });

  it('a bad value type in the config file exits 2 naming the file and the key path', async () => {
    const ws = await workspace();
    const config = await ws.writeFile('conf/demo.yml', 'tempered-demo:\n  prune: "yes"\n');

    const result = await ws.run(['apply', ws.path('out'), '--config', config]);

    const msg = expectOneLineError(result, 'E_CONFIG');
    expect(msg).toBe(`${config}: tempered-demo.prune: expected true or false, got "yes"`);
    await expect(readdir(ws.path('out'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('a bad value inside an environment names the environment path; a bad standard setting its key', async () => {
    const ws = await workspace();
    const config = await ws.writeConfig('demo.json', {
      environments: { staging: { 'tempered-demo': { actionDelayMs: 'slow' } } },
    });
    const inEnvironment = await ws.run(['apply', '-e', 'staging', '--config', config]);
    expect(expectOneLineError(inEnvironment, 'E_CONFIG')).toBe(
      `${config}: environments.staging.tempered-demo.actionDelayMs: expected a number, got "slow"`,
    );

    const settings = await ws.writeFile('settings.yml', 'lockWait: soon\n');
    const badSetting = await ws.run(['apply', ws.path('out'), '--config', settings]);
    const msg = expectOneLineError(badSetting, 'E_CONFIG');
    expect(msg).toContain(`${settings}: lockWait: expected a duration`);
    expect(msg).toContain('got "soon"');
  });

  it('an unknown environment exits 2 listing the known ones, as a line and as a --json document', async () => {
    const ws = await workspace();
    const config = await ws.writeConfig('tempered.json', TWO_ENVIRONMENTS);

    const result = await ws.run(['apply', '-e', 'nope', '--config', config]);
    expect(expectOneLineError(result, 'E_CONFIG')).toBe(
      'unknown environment "nope"; known: dev, prod (hint: pass one of the known environments to --environment)',
    );

    const json = await ws.run(['apply', '-e', 'nope', '--config', config, '--json']);
    expect(json.code).toBe(2);
    const doc = JSON.parse(json.stdout);
    expect(doc).toEqual({
      status: 'error',
      error: {
        name: 'ConfigError',
        code: 'E_CONFIG',
        exitCode: 2,
        message: 'unknown environment "nope"; known: dev, prod',
        hint: 'pass one of the known environments to --environment',
      },
    });
    // under --json the log line still goes to stderr, and only the document to stdout
    expect(messages(json)).toEqual([expect.stringContaining('unknown environment "nope"')]);
  });

  it('--json error documents have exactly name, code, exitCode, message and an optional hint', async () => {
    const ws = await workspace();

    const unknownFlag = await ws.run(['apply', '--bogus', '--json']);
    expect(unknownFlag.code).toBe(2);
    expect(JSON.parse(unknownFlag.stdout)).toEqual({
      status: 'error',
      error: {
        name: 'UsageError',
        code: 'E_USAGE',
        exitCode: 2,
        message: 'Nonexistent flag: --bogus',
        hint: 'see --help',
      },
    });

    const config = await ws.writeConfig('fail.json', {
      'tempered-demo': { files: { 'a.txt': 'A\n' }, failOn: ['a.txt'] },
    });
    const failed = await ws.run(['apply', ws.path('out'), '--config', config, '--json']);
    expect(failed.code).toBe(1);
    const doc = JSON.parse(failed.stdout);
    expect(doc.status).toBe('error');
    expect(Object.keys(doc.error).sort()).toEqual(['code', 'exitCode', 'message', 'name']);
    expect(doc.error).toMatchObject({ name: 'TemperedError', code: 'E_TEMPERED', exitCode: 1 });
    expect(doc.error.message).toMatch(
      /^all 1 actions failed \(first: write:a\.txt@[0-9a-f]{12}: refusing to write a\.txt \(failOn\)\)$/,
    );
  });

  it('a config that defines environments but no default, run without -e, exits 2 listing them', async () => {
    const ws = await workspace();
    const config = await ws.writeConfig('tempered.json', TWO_ENVIRONMENTS);

    const viaFlag = await ws.run(['apply', '--config', config]);
    expect(expectOneLineError(viaFlag, 'E_USAGE')).toBe(
      `no environment selected; known: dev, prod (hint: pass --environment <name>, set TEMPERED_ENVIRONMENT, or set defaultEnvironment in ${config})`,
    );

    // found as ./tempered.json in the working directory, the same
    const found = await ws.run(['apply']);
    expect(expectOneLineError(found, 'E_USAGE')).toContain('no environment selected; known: dev, prod');

    // TEMPERED_ENVIRONMENT selects one
    const selected = await ws.run(['apply', ws.path('out')], { env: { TEMPERED_ENVIRONMENT: 'dev' } });
    expect(selected.code).toBe(0);
    expect(selected.logs[0]).toMatchObject({ environment: 'dev' });
    expect(await walk(ws.stateDir('default'))).toEqual([]);
  });
});

describe('protected environments', () => {
  async function prodWorkspace() {
    const ws = await workspace();
    const target = ws.path('prod-out');
    const config = await ws.writeConfig('tempered.json', {
      defaultEnvironment: 'dev',
      environments: {
        dev: {},
        prod: { protected: true, 'tempered-demo': { target, files: { 'motd.txt': 'welcome\n' } } },
      },
    });
    return { ws, target, config };
  }

  it('without --yes and without a TTY, exits 2 and writes nothing; --dry-run needs no --yes', async () => {
    const { ws, target, config } = await prodWorkspace();

    const refused = await ws.run(['apply', '-e', 'prod', '--config', config]);
    const msg = expectOneLineError(refused, 'E_USAGE');
    expect(msg).toBe(
      'environment "prod" is protected and nothing confirmed the change (hint: pass --yes to confirm, or run at a terminal and type the environment name)',
    );
    expect(messages(refused)).not.toContain('applying plan');
    await expect(readdir(target)).rejects.toMatchObject({ code: 'ENOENT' });
    const stateFiles = (await walk(ws.stateHome)).filter((e) => !e.isDirectory).map((e) => e.path);
    expect(stateFiles).toEqual([expect.stringMatching(/\/prod\/runs\/[^/]+\.json$/)]);

    const dry = await ws.run(['apply', '-e', 'prod', '--config', config, '--dry-run']);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain(`-> ${target} [prod]\n+ motd.txt (missing)\n`);
    await expect(readdir(target)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('with --yes (or -y) applies', async () => {
    const { ws, target, config } = await prodWorkspace();

    const applied = await ws.run(['apply', '-e', 'prod', '--config', config, '--yes']);

    expect(applied.code).toBe(0);
    expect(applied.stdout).toBe('+ motd.txt (applied)\nApplied 1 change(s).\n');
    expect(messages(applied)).toContain('protected environment confirmed');
    expect(await readdir(target)).toEqual(['motd.txt']);
    const again = await ws.run(['apply', '-e', 'prod', '--config', config, '-y']);
    expect(again.code).toBe(0);
    expect(again.stdout).toBe('No changes: 1 up to date.\n');
    expect((await stateOf(ws).runRecords('prod')).map((r) => r.status)).toEqual(['success', 'noop']);
  });
});
