import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { loadConfigFile, resolveEnvironment } from '../../../src/config/index.js';

// Start-up cost matters for CLIs run from cron: the YAML parser may load only for a YAML file.
const yamlImports = vi.hoisted(() => ({ count: 0 }));
vi.mock('yaml', async (importOriginal) => {
  yamlImports.count += 1;
  return importOriginal();
});

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('Module: config start-up cost', () => {
  it('loads a JSON config, or none at all, without importing yaml', async () => {
    dir = mkdtempSync(join(tmpdir(), 'tempered-lazy-'));
    const env = { HOME: dir };
    expect(resolveEnvironment(await loadConfigFile({ env, cwd: dir, cli: 'x' }), { env }).name).toBe(
      'default',
    );
    writeFileSync(join(dir, 'tempered.json'), '{"logLevel": "warn"}');
    const loaded = await loadConfigFile({ env, cwd: dir, cli: 'x' });
    expect(resolveEnvironment(loaded, { env }).settings.logLevel).toBe('warn');
    expect(yamlImports.count).toBe(0);
  });

  it('imports yaml once a YAML file is read', async () => {
    dir = mkdtempSync(join(tmpdir(), 'tempered-lazy-'));
    writeFileSync(join(dir, 'tempered.yml'), 'logLevel: warn\n');
    await loadConfigFile({ env: { HOME: dir }, cwd: dir, cli: 'x' });
    expect(yamlImports.count).toBe(1);
  });
});
