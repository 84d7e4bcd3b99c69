import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  ANSI,
  type CliResult,
  messages,
  modeOf,
  parseLogLines,
  stateOf,
  stateOnPostgres,
  walk,
} from '@tempered/testkit';
import { describe, expect, it } from 'vitest';
import { DEFAULT_FILES } from '../../src/section.js';
import { CLI_NAME, workspace } from './helpers.js';

const DEFAULT_NAMES = Object.keys(DEFAULT_FILES).sort((a, b) => a.localeCompare(b));

async function readTree(root: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const entry of await readdir(root, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    out[path.slice(root.length + 1)] = await readFile(path, 'utf8');
  }
  return out;
}

/** Every stderr line is a JSON log line carrying the run's persistent keys; no escape codes anywhere. */
function expectCronOutput(result: CliResult, environment = 'default'): void {
  expect(result.stdout).not.toMatch(ANSI);
  expect(result.stderr).not.toMatch(ANSI);
  expect(result.stderr.endsWith('\n')).toBe(true);
  const lines = parseLogLines(result.stderr);
  expect(lines.length).toBeGreaterThan(0);
  const runIds = new Set<unknown>();
  for (const line of lines) {
    expect(line).toEqual(
      expect.objectContaining({
        level: expect.any(Number),
        time: expect.any(Number),
        msg: expect.any(String),
        cli: CLI_NAME,
        command: expect.any(String),
        environment,
        run_id: expect.stringMatching(/^\d{8}T\d{6}Z-[0-9a-f]{6}$/),
      }),
    );
    runIds.add(line.run_id);
  }
  expect(runIds.size).toBe(1);
}

describe('apply: the happy path', () => {
  it('creates the files, then has nothing to do, and records both runs privately under the state dir', async () => {
    const ws = await workspace();
    const out = ws.path('out');

    const first = await ws.run(['apply', out]);
    expect(first.code).toBe(0);
    expect(first.stdout).toBe(
      `${DEFAULT_NAMES.map((name) => `+ ${name} (applied)`).join('\n')}\nApplied 3 change(s).\n`,
    );
    expect(await readTree(out)).toEqual(DEFAULT_FILES);
    expect(messages(first)).toEqual(
      expect.arrayContaining([
        'run started',
        'config resolved',
        'applying plan',
        'file written',
        'run finished',
      ]),
    );
    expect(messages(first).filter((msg) => msg === 'file written')).toHaveLength(3);

    const second = await ws.run(['apply', out]);
    expect(second.code).toBe(0);
    expect(second.stdout).toBe('No changes: 3 up to date.\n');
    expect(messages(second)).toContain('nothing to change');
    expect(messages(second)).not.toContain('file written');

    const state = stateOf(ws);
    const records = await state.runRecords();
    expect(records.map((r) => [r.status, r.exitCode, r.command])).toEqual([
      ['success', 0, 'apply'],
      ['noop', 0, 'apply'],
    ]);
    expect(records[0]).toMatchObject({
      cli: CLI_NAME,
      environment: 'default',
      counts: { actions_create: 3 },
    });
    expect(records[0]?.failure).toBeUndefined();
    // no lock left behind; the first run's journal was archived on success, the no-op run left none
    expect(await state.locks()).toEqual([]);
    expect((await state.journals()).map((journal) => journal.archived)).toEqual([true]);
    if (stateOnPostgres()) return;

    // the file backend's state: directories 0700 and files 0600 from XDG_STATE_HOME down
    const entries = await walk(ws.stateHome);
    expect(await modeOf(ws.stateHome)).toBe(0o700);
    expect(entries.filter((e) => e.isDirectory).map((e) => [e.path, e.mode.toString(8)])).toEqual(
      entries.filter((e) => e.isDirectory).map((e) => [e.path, '700']),
    );
    const files = entries.filter((e) => !e.isDirectory);
    expect(files.map((e) => [e.path, e.mode.toString(8)])).toEqual(files.map((e) => [e.path, '600']));
    expect(files.filter((e) => e.path.endsWith('.lock'))).toEqual([]);
    // the first run's journal was archived on success; the no-op run left none
    expect(files.filter((e) => e.path.includes('/journals/')).map((e) => e.path)).toEqual([
      expect.stringMatching(/\/journals\/archive\/[^/]+\.jsonl$/),
    ]);
  });

  it('--dry-run prints the itemised plan, changes nothing and leaves no lock, only its run record', async () => {
    const ws = await workspace();
    const out = ws.path('out');

    const result = await ws.run(['apply', out, '--dry-run']);

    expect(result.code).toBe(0);
    expect(result.stdout).toBe(
      [
        `${CLI_NAME} apply -> ${out} [default]`,
        ...DEFAULT_NAMES.map((name) => `+ ${name} (missing)`),
        'Plan: 3 to create, 0 to update, 0 to delete, 0 unchanged.',
        '',
      ].join('\n'),
    );
    expect(result.stdout).toContain('+ hello.txt (missing)');
    expect(messages(result)).toContain('dry run: plan printed, nothing changed');
    expect(messages(result)).not.toContain('file written');
    await expect(readdir(out)).rejects.toMatchObject({ code: 'ENOENT' });
    const state = stateOf(ws);
    expect((await state.runRecords()).map((r) => r.status)).toEqual(['dry-run']);
    expect(await state.locks()).toEqual([]);
    expect(await state.journals()).toEqual([]);
    if (stateOnPostgres()) return;
    // on files, nothing else at all (PostgreSQL keeps a released lease's row, for its token)
    const files = (await walk(ws.stateHome)).filter((e) => !e.isDirectory).map((e) => e.path);
    expect(files).toEqual([expect.stringMatching(/\/default\/runs\/[^/]+\.json$/)]);
  });

  it('--dry-run itemises updates against what is there, and --json prints one success document', async () => {
    const ws = await workspace();
    const out = ws.path('out');
    expect((await ws.run(['apply', out])).code).toBe(0);
    await ws.writeFile('out/hello.txt', 'edited by hand\n');

    const human = await ws.run(['apply', out, '--dry-run']);
    expect(human.code).toBe(0);
    expect(human.stdout).toContain('~ hello.txt (content differs)\n');
    expect(human.stdout).toContain('Plan: 0 to create, 1 to update, 0 to delete, 2 unchanged.');

    const json = await ws.run(['apply', out, '--dry-run', '--json']);
    expect(json.code).toBe(0);
    const doc = JSON.parse(json.stdout);
    expect(Object.keys(doc).sort()).toEqual(['result', 'status', 'warnings']);
    expect(doc).toMatchObject({ status: 'success', warnings: [], result: { dryRun: true, target: out } });
    const { plan } = doc.result;
    expect(plan.summary).toEqual({ create: 0, update: 1, delete: 0, skip: 2, changes: 1 });
    expect(doc.result.summary).toEqual(plan.summary);
    expect(
      plan.actions.map((a: { kind: string; target: string; reason: string }) => [a.kind, a.target, a.reason]),
    ).toEqual(
      DEFAULT_NAMES.map((name) =>
        name === 'hello.txt' ? ['update', name, 'content differs'] : ['skip', name, 'up to date'],
      ),
    );
    expect(plan.actions.find((a: { target: string }) => a.target === 'hello.txt').details).toEqual({
      path: join(out, 'hello.txt'),
      content: DEFAULT_FILES['hello.txt'],
    });
    expect(await readFile(join(out, 'hello.txt'), 'utf8')).toBe('edited by hand\n');
  });
});

describe('output without a TTY (cron)', () => {
  it('stderr is JSON lines with the persistent keys, and neither stream carries escape codes', async () => {
    const ws = await workspace();
    const out = ws.path('out');

    const applied = await ws.run(['apply', out, '--log-level', 'debug']);
    expect(applied.code).toBe(0);
    expectCronOutput(applied);
    expect(applied.logs.some((line) => line.level === 20)).toBe(true);

    const dry = await ws.run(['apply', out, '--dry-run', '--json']);
    expect(dry.code).toBe(0);
    expectCronOutput(dry);

    const stats = await ws.run(['stats']);
    expect(stats.code).toBe(0);
    expectCronOutput(stats);
  });

  it('a failing run still writes only JSON lines, with the same keys once the run is open', async () => {
    const ws = await workspace();
    const config = await ws.writeConfig('tempered.json', {
      'tempered-demo': { files: { 'a.txt': 'A\n' }, failOn: ['a.txt'] },
    });

    const result = await ws.run(['apply', ws.path('out'), '--config', config]);

    expect(result.code).toBe(1);
    expectCronOutput(result);
    const error = result.logs.find((line) => line.level === 50 && line.exit_code !== undefined);
    expect(error).toMatchObject({ code: 'E_TEMPERED', exit_code: 1 });
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('--log-file appends the same JSON lines to a new 0600 file (in a new 0700 directory)', async () => {
    const ws = await workspace();
    const logFile = ws.path('logs', 'nested', 'demo.log');

    const first = await ws.run(['apply', ws.path('out'), '--log-file', logFile]);
    expect(first.code).toBe(0);
    expect(await modeOf(logFile)).toBe(0o600);
    expect(await modeOf(ws.path('logs', 'nested'))).toBe(0o700);
    const logged = parseLogLines(await readFile(logFile, 'utf8'));
    expect(logged).toEqual(first.logs);

    const second = await ws.run(['apply', ws.path('out'), '--log-file', logFile]);
    expect(second.code).toBe(0);
    const both = parseLogLines(await readFile(logFile, 'utf8'));
    expect(both).toEqual([...first.logs, ...second.logs]);
    expect(new Set(both.map((line) => line.run_id)).size).toBe(2);
    expect(await modeOf(logFile)).toBe(0o600);
  });
});
