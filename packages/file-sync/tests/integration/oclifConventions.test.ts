/**
 * What operators expect of any oclif CLI, through the built file-sync: `help <command>`, a
 * did-you-mean for a typo (a prompt only at a terminal), shell completion, and errors that say
 * "Error" once (the log level), whichever path raised them.
 */
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ANSI } from '@tempered/testkit';
import { describe, expect, it } from 'vitest';
import { CLI_BIN, workspace } from './helpers.js';

describe('help, did-you-mean and completion (oclif plugins)', () => {
  it('`help sync` prints what `sync --help` prints, exit 0', async () => {
    const ws = await workspace();
    const viaHelp = await ws.run(['help', 'sync']);
    const viaFlag = await ws.run(['sync', '--help']);
    expect(viaHelp.code, viaHelp.stderr).toBe(0);
    expect(viaHelp.stdout).toContain('$ file-sync sync [SOURCE] [DESTINATION]');
    expect(viaHelp.stdout).toBe(viaFlag.stdout);
    expect(viaHelp.stderr).toBe('');
  });

  it('a typo without a TTY: one JSON error line naming the command meant, nothing on stdout, exit 2', async () => {
    const ws = await workspace();
    const result = await ws.run(['synk', ws.path('src'), ws.path('dst')]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).not.toMatch(ANSI);
    expect(result.logs).toEqual([
      expect.objectContaining({
        level: 50,
        cli: 'file-sync',
        code: 'E_USAGE',
        exit_code: 2,
        msg: 'unknown command "synk"; did you mean "sync"? (hint: "file-sync help" lists the commands)',
      }),
    ]);
  });

  it('`help` of a typo is the same usage error', async () => {
    const ws = await workspace();
    const result = await ws.run(['help', 'synk']);
    expect(result.code).toBe(2);
    expect(result.logs.map((line) => line.msg)).toEqual([
      'unknown command "synk"; did you mean "sync"? (hint: "file-sync help" lists the commands)',
    ]);
  });

  it('a typo with --json: the error document on stdout, like any other error', async () => {
    const ws = await workspace();
    const result = await ws.run(['stat', '--json']);
    expect(result.code).toBe(2);
    expect(JSON.parse(result.stdout)).toEqual({
      status: 'error',
      error: {
        name: 'UsageError',
        code: 'E_USAGE',
        exitCode: 2,
        message: 'unknown command "stat"; did you mean "stats"?',
        hint: '"file-sync help" lists the commands',
      },
    });
    expect(result.logs).toHaveLength(1);
  });

  it('at a terminal, plugin-not-found asks; declining is the same usage error, exit 2', async () => {
    const ws = await workspace();
    // script(1) gives the CLI a pseudo-terminal on stdin, stdout and stderr; -e passes its exit code on
    const child = spawn(
      'script',
      ['-qec', `${JSON.stringify(process.execPath)} ${JSON.stringify(CLI_BIN)} synk`, '/dev/null'],
      { cwd: ws.root, env: ws.env({ TERM: 'xterm' }), stdio: ['pipe', 'pipe', 'pipe'] },
    );
    let output = '';
    let answered = false;
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk;
      if (!answered && output.includes('Did you mean')) {
        answered = true;
        child.stdin.write('n\r');
      }
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping the terminal's escape sequences is the point
    const plain = output.replace(/\u001b\[[0-9;?]*[A-Za-z]/g, '');
    expect(answered, plain).toBe(true);
    expect(code, plain).toBe(2);
    expect(plain).toContain('ERROR unknown command "synk"; did you mean "sync"?');
    expect(plain).not.toMatch(/ERROR Error/);
  });

  it('completion: `autocomplete --refresh-cache` writes a bash function that knows the commands and their flags', async () => {
    const ws = await workspace();
    const result = await ws.run(['autocomplete', '--refresh-cache']);
    expect(result.code, result.stderr).toBe(0);
    const bash = await readFile(
      join(
        ws.path('cache-home'),
        'tempered-file-sync',
        'autocomplete',
        'functions',
        'bash',
        'file-sync.bash',
      ),
      'utf8',
    );
    expect(bash).toMatch(/^sync .*--dry-run .*--max-delete/m);
    expect(bash).toMatch(/^stats /m);
    const instructions = await ws.run(['autocomplete', 'bash']);
    expect(instructions.code).toBe(0);
    expect(instructions.stdout).toContain('file-sync autocomplete');
  });
});

describe('error lines say "Error" once: the level', () => {
  const cases: [string, (root: string) => string[]][] = [
    ['a bad flag value (oclif parse error)', () => ['sync', 'a', 'b', '--concurrency', 'abc']],
    ['an unknown flag', () => ['sync', 'a', 'b', '--bogus']],
    ['a missing source (our own error)', (root) => ['sync', join(root, 'nope'), join(root, 'dst')]],
    ['an unknown command', () => ['synk']],
  ];

  it.each(cases)('%s: no "Error: " in the JSON line nor in the --json document', async (_name, argv) => {
    const ws = await workspace();
    const result = await ws.run(argv(ws.root));
    expect(result.code).toBe(2);
    const errors = result.logs.filter((line) => line.level === 50);
    expect(errors).toHaveLength(1);
    expect(errors[0]?.msg).not.toMatch(/\bError: /);

    const json = await ws.run([...argv(ws.root), '--json']);
    const document = JSON.parse(json.stdout) as { error: { message: string } };
    expect(document.error.message).not.toMatch(/\bError: /);
  });
});
