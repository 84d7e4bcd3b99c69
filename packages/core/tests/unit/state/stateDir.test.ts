import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/errors/index.js';
import { listEnvironments, stateDirFor, stateRootFor } from '../../../src/state/index.js';
import { withTempDir } from './helpers.js';

describe('Function: stateDirFor', () => {
  it('uses $XDG_STATE_HOME/tempered/<cli>/<environment>', () => {
    const env = { XDG_STATE_HOME: '/var/state', HOME: '/home/op' };
    expect(stateDirFor({ cli: 'deploy', environment: 'production', env })).toBe(
      '/var/state/tempered/deploy/production',
    );
  });

  it('falls back to ~/.local/state/tempered, also when XDG_STATE_HOME is relative (the spec says ignore it)', () => {
    expect(stateRootFor({ env: { HOME: '/home/op' } })).toBe('/home/op/.local/state/tempered');
    expect(stateRootFor({ env: { HOME: '/home/op', XDG_STATE_HOME: 'rel/state' } })).toBe(
      '/home/op/.local/state/tempered',
    );
  });

  it('lets --state-dir replace the root, resolving a relative one against the cwd', () => {
    const env = { XDG_STATE_HOME: '/var/state' };
    expect(stateDirFor({ root: '/srv/state', cli: 'file-sync', environment: 'default', env })).toBe(
      '/srv/state/file-sync/default',
    );
    expect(stateDirFor({ root: 'st', cli: 'c', environment: 'e', env })).toBe(
      join(process.cwd(), 'st', 'c', 'e'),
    );
  });

  it.each(['../etc', 'a/b', '', '.hidden', 'two words', 'x'.repeat(65), 'nul\0'])(
    'rejects the unsafe environment name %j with a UsageError',
    (environment) => {
      expect(() => stateDirFor({ cli: 'deploy', environment, env: {} })).toThrow(UsageError);
    },
  );

  it('rejects an unsafe CLI name and names it', () => {
    expect(() => stateDirFor({ cli: '..', environment: 'prod', env: {} })).toThrow(/CLI name ".."/);
  });
});

describe('Function: listEnvironments', () => {
  let dir: string;
  let cleanup: () => Promise<void>;

  beforeEach(async () => {
    ({ dir, cleanup } = await withTempDir('envs'));
  });
  afterEach(() => cleanup());

  it('lists environment directories, sorted, ignoring files and odd names', async () => {
    for (const name of ['staging', 'production', '.tmp'])
      await mkdir(join(dir, 'deploy', name), { recursive: true });
    await writeFile(join(dir, 'deploy', 'notes.txt'), '');
    expect(await listEnvironments(dir, 'deploy')).toEqual(['production', 'staging']);
  });

  it('returns nothing when the CLI has no state yet', async () => {
    expect(await listEnvironments(dir, 'never-ran')).toEqual([]);
  });

  it('resolves the default root from the environment when no root is given', async () => {
    await mkdir(join(dir, 'tempered', 'deploy', 'qa'), { recursive: true });
    expect(await listEnvironments(undefined, 'deploy', { XDG_STATE_HOME: dir })).toEqual(['qa']);
  });
});
