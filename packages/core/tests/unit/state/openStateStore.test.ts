import { access, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/log/index.js';
import { FileStateStore, openStateStore } from '../../../src/state/index.js';
import { withTempDir } from './helpers.js';

const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );

describe('Function: openStateStore, file backend', () => {
  let dir: string;
  let cleanup: () => Promise<void>;

  beforeEach(async () => {
    ({ dir, cleanup } = await withTempDir('open'));
  });
  afterEach(() => cleanup());

  const open = (forWriting: boolean, environment = 'prod') =>
    openStateStore({
      state: { backend: 'file', root: dir },
      cli: 'deploy',
      environment,
      runId: 'run-1',
      logger: silentLogger(),
      forWriting,
    });

  it('creates <root>/<cli>/<environment> for a run that writes, and nothing for one that only reads', async () => {
    const reader = await open(false);
    expect(reader).toBeInstanceOf(FileStateStore);
    expect(await exists(join(dir, 'deploy'))).toBe(false);

    const writer = (await open(true)) as FileStateStore;
    expect(writer.dir).toBe(join(dir, 'deploy', 'prod'));
    expect(await exists(writer.dir)).toBe(true);
  });

  it('lists the environments of its CLI that have state', async () => {
    await mkdir(join(dir, 'deploy', 'staging'), { recursive: true });
    await mkdir(join(dir, 'file-sync', 'other'), { recursive: true });
    const store = await open(true);
    expect(await store.listEnvironments?.()).toEqual(['prod', 'staging']);
  });
});
