import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const packageDir = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const readme = readFileSync(join(packageDir, 'README.md'), 'utf8');
const blocks = [...readme.matchAll(/^## (.+)$[\s\S]*?^```js\n([\s\S]*?)^```/gm)].map((m) => ({
  title: m[1]!,
  code: m[2]!,
}));

// The README's examples run against the built package, as a user would import it.
describe('README examples', () => {
  const sandbox = mkdtempSync(join(tmpdir(), 'tempered-readme-'));
  mkdirSync(join(sandbox, 'node_modules', '@tempered'), { recursive: true });
  symlinkSync(packageDir, join(sandbox, 'node_modules', '@tempered', 'core'));

  it('has an example for every module', () => {
    expect(blocks.map((b) => b.title.split(':')[0])).toEqual([
      'log',
      'errors',
      'retry',
      'http',
      'config',
      'state',
      'fs',
      'plan',
      'metrics',
      'util',
    ]);
  });

  it.each(blocks)('$title runs and its assertions hold', async ({ title, code }) => {
    const file = join(sandbox, `${title.split(':')[0]}.mjs`);
    writeFileSync(file, code);
    const { stderr } = await run(process.execPath, [file], {
      cwd: sandbox,
      env: { ...process.env, TEMPERED_CONFIG: '' },
    });
    expect(stderr).not.toContain('Assertion failed');
  });
});
