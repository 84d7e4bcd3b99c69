import type { Plan } from '@tempered/core';
import { describe, expect, it } from 'vitest';
import { resolveCleanupOptions } from '../../../src/options.js';
import { buildRuleActions } from '../../../src/plan/buildActions.js';
import { renderCleanupPlan } from '../../../src/plan/render.js';
import type {
  CleanupDetails,
  FsEntryResource,
  ImageResource,
  Provider,
} from '../../../src/provider/types.js';

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 0, 31);

const fakeFs: Provider<FsEntryResource> = {
  kind: 'fs',
  location: '/srv/builds',
  list: async () => ({ items: [], housekeeping: [], scanned: 0 }),
  describe: (r) => r.path,
  delete: async () => ({ status: 'deleted' }),
};
const fakeRegistry: Provider<ImageResource> = {
  kind: 'registry',
  location: 'http://r',
  list: async () => ({ items: [], housekeeping: [], scanned: 0 }),
  describe: (r) => `${r.repository} [${r.tags.join(', ')}]`,
  delete: async () => ({ status: 'deleted' }),
};

describe('Functions: buildRuleActions and renderCleanupPlan', () => {
  const options = resolveCleanupOptions({
    flags: {},
    section: {
      rules: [
        { name: 'files', provider: 'fs', path: '/srv/builds', match: ['*.gz'], olderThan: '7d' },
        { name: 'images', provider: 'registry', url: 'http://r', repositories: ['app'], olderThan: '7d' },
      ],
    },
    baseDir: '/',
    configFile: undefined,
  });
  const [files, images] = options.rules;
  if (!files || !images) throw new Error('rules');
  const fileResource = (path: string, days: number): FsEntryResource => ({
    type: 'fs-entry',
    path,
    entry: 'file',
    mtimeMs: NOW - days * DAY,
    size: 2048,
  });
  const image: ImageResource = {
    type: 'image',
    repository: 'app',
    digest: 'sha256:1',
    tags: ['ci-1'],
    mediaType: undefined,
    created: undefined,
  };
  const filePlan = buildRuleActions(
    files,
    fakeFs,
    {
      items: [
        { key: 'a.gz', group: '*.gz', createdMs: NOW - 9 * DAY, resource: fileResource('a.gz', 9) },
        { key: 'b.gz', group: '*.gz', createdMs: NOW - 1 * DAY, resource: fileResource('b.gz', 1) },
      ],
      housekeeping: [],
      scanned: 3,
    },
    NOW,
  );
  const imagePlan = buildRuleActions(
    images,
    fakeRegistry,
    {
      items: [{ key: 'app@sha256:1', group: 'app', createdMs: NOW - 8 * DAY, resource: image }],
      housekeeping: [],
      scanned: 1,
    },
    NOW,
  );

  it("names actions by rule and resource, so a re-run recognises an interrupted run's work", () => {
    expect(filePlan.actions.map((a) => [a.id, a.kind])).toEqual([
      ['delete:files:a.gz', 'delete'],
      ['skip:files:b.gz', 'skip'],
    ]);
    expect(imagePlan.actions[0]?.id).toBe('delete:images:app@sha256:1');
  });

  it('renders every candidate and every skip under its rule, the totals, and the GC note', () => {
    const plan: Plan<CleanupDetails> = {
      cli: 'resource-cleanup',
      command: 'plan',
      environment: 'ci',
      target: 'cleanup-rules',
      warnings: [],
      actions: [...filePlan.actions, ...imagePlan.actions],
    };
    const headers = [
      { rule: 'files', provider: 'fs', location: '/srv/builds', selection: 'match *.gz; olderThan 7d' },
      {
        rule: 'images',
        provider: 'registry',
        location: 'http://r',
        selection: 'repositories app; olderThan 7d',
      },
    ];
    expect(renderCleanupPlan(plan, headers, 1)).toBe(
      [
        'resource-cleanup plan [ci]: 2 rule(s), max-delete 1',
        'rule files (fs /srv/builds; match *.gz; olderThan 7d): 1 to delete, 1 kept',
        '  - files: a.gz (age 9d, older than 7d; 2 KiB)',
        '  = files: b.gz (too new: age 1d, olderThan 7d; 2 KiB)',
        'rule images (registry http://r; repositories app; olderThan 7d): 1 to delete, 0 kept',
        '  - images: app [ci-1] (age 8d, older than 7d)',
        "Plan: 2 to delete, 1 kept OVER the cap of 1: a run would delete nothing. Registry space returns only after the registry's garbage collection (e.g. `registry garbage-collect`).",
      ].join('\n'),
    );
  });
});
