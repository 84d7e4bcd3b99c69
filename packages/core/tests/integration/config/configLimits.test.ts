/**
 * Issue 14, item 10: a config file is untrusted input. A 50 MB file was parsed for 51 s, a deep
 * JSON file crashed with "Maximum call stack size exceeded" (exit 1), deep YAML exited 2 with the
 * same text, and a file of YAML aliases expanded to 120 MB. Each is refused now, with exit 2 and
 * one line naming the file and the limit.
 */
import { mkdtempSync, realpathSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CONFIG_LIMITS, loadConfigFile } from '../../../src/config/index.js';
import { ConfigError } from '../../../src/errors/index.js';

let dir: string;
beforeEach(() => {
  dir = realpathSync(mkdtempSync(join(tmpdir(), 'tempered-limits-')));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function write(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

async function refusal(file: string): Promise<ConfigError> {
  const error = await loadConfigFile({ path: file, env: { HOME: dir }, cwd: dir, cli: 'x' }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ConfigError);
  const refused = error as ConfigError;
  expect(refused.exitCode).toBe(2);
  expect(refused.message).not.toContain('\n');
  expect(refused.message).not.toMatch(/call stack/i);
  return refused;
}

/** `levels` nested maps in YAML block style, each one indented by one more space. */
function deepBlockYaml(levels: number): string {
  const lines = Array.from({ length: levels }, (_, i) => `${' '.repeat(i)}a:`);
  return `${lines.join('\n')} 1\n`;
}

describe('config file limits', () => {
  it('refuses a 50 MB file from its size alone, without parsing it', async () => {
    const file = write('tempered.yml', '');
    truncateSync(file, 50 * 1024 * 1024);
    const started = performance.now();
    expect((await refusal(file)).message).toBe(`${file}: config file is larger than the 1 MiB limit`);
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  it('reads a file of exactly the size limit', async () => {
    const file = write('tempered.yml', `# ${'x'.repeat(CONFIG_LIMITS.maxBytes - 3)}\n`);
    await expect(loadConfigFile({ path: file, env: {}, cwd: dir, cli: 'x' })).resolves.toMatchObject({
      data: {},
    });
  });

  it('refuses deep JSON before parsing it, naming the line', async () => {
    const file = write('tempered.json', `{"x":\n${'['.repeat(100_000)}${']'.repeat(100_000)}}`);
    expect((await refusal(file)).message).toBe(`${file}:2: nested deeper than the limit of 64 levels`);
  });

  it('accepts JSON 64 levels deep, refuses 65, and does not count brackets inside strings', async () => {
    // the CLI's section `x` on top, so only the depth can be wrong with it
    const nested = (levels: number) => `{"x":${'{"a":'.repeat(levels - 1)}"[[[{{{"${'}'.repeat(levels)}`;
    const ok = write('ok.json', nested(64));
    await expect(loadConfigFile({ path: ok, env: {}, cwd: dir, cli: 'x' })).resolves.toBeDefined();
    const deep = write('deep.json', nested(65));
    expect((await refusal(deep)).message).toBe(`${deep}:1: nested deeper than the limit of 64 levels`);
  });

  it('refuses deep YAML, flow or block, with the limit and not a stack overflow', async () => {
    const flow = write('flow.yml', `a: ${'['.repeat(20_000)}${']'.repeat(20_000)}\n`);
    expect((await refusal(flow)).message).toMatch(
      new RegExp(`^${flow.replaceAll('.', '\\.')}(:\\d+)?: nested deeper than the limit of 64 levels$`),
    );
    const block = write('block.yml', deepBlockYaml(100));
    expect((await refusal(block)).message).toBe(`${block}: nested deeper than the limit of 64 levels`);
    const compact = write('compact.yml', `${'- '.repeat(50_000)}x\n`);
    expect((await refusal(compact)).message).toMatch(/: nested deeper than the limit of 64 levels$/);
  });

  it('refuses a file of more than 100 alias uses', async () => {
    const uses = Array.from({ length: 101 }, (_, i) => `k${i}: *a`).join('\n');
    const file = write('tempered.yml', `base: &a { x: 1 }\n${uses}\n`);
    expect((await refusal(file)).message).toBe(
      `${file}: invalid YAML: 101 aliases, more than the limit of 100`,
    );
  });

  it("refuses aliases that expand past the limit (many anchors, each used under yaml's own cap)", async () => {
    // 10 anchors of 90 KB, each used 9 times: 90 alias uses, 8 MB of text once expanded
    // all inside the CLI's own section `x`, so the file is otherwise a valid config
    let text = 'x:\n  anchors:\n';
    for (let i = 0; i < 10; i++) text += `    a${i}: &a${i} "${'x'.repeat(90_000)}"\n`;
    text += '  uses:\n';
    for (let i = 0; i < 10; i++) for (let j = 0; j < 9; j++) text += `    - *a${i}\n`;
    const file = write('tempered.yml', text);
    expect((await refusal(file)).message).toBe(
      `${file}: expands to more than the limit of 100000 values or 4 MiB of text (YAML aliases)`,
    );
  });

  it('refuses nested aliases that multiply (a "billion laughs")', async () => {
    const levels = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]'];
    for (let i = 1; i < 9; i++) {
      const prev = String.fromCharCode(96 + i);
      const name = String.fromCharCode(97 + i);
      levels.push(`${name}: &${name} [${Array(9).fill(`*${prev}`).join(', ')}]`);
    }
    const file = write('tempered.yml', `${levels.join('\n')}\n`);
    const error = await refusal(file);
    expect(error.message).toMatch(new RegExp(`^${file.replaceAll('.', '\\.')}: `));
  });

  it('still reads a config that uses a few aliases', async () => {
    const file = write(
      'tempered.yml',
      'retry: &r { maxAttempts: 3 }\nenvironments:\n  a: { retry: *r }\n  b: { retry: *r }\n',
    );
    const loaded = await loadConfigFile({ path: file, env: {}, cwd: dir, cli: 'x' });
    expect(loaded.environments).toEqual(['a', 'b']);
  });
});
