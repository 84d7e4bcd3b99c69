import { summarizePlan } from '@tempered/core';
import { describe, expect, it } from 'vitest';
import { cleanupFacts } from '../../../src/job/cleanupFacts.js';
import { planCleanup } from '../../../src/job/planCleanup.js';
import type { CleanupWorld, RuleListing } from '../../../src/job/readRules.js';
import { resolveCleanupOptions } from '../../../src/options.js';
import type { FsEntryResource, ImageResource } from '../../../src/provider/types.js';
import type { RuleConfig } from '../../../src/section.js';

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 0, 31);

function options(rules: RuleConfig[], flags: { 'max-delete'?: number; concurrency?: number } = {}) {
  return resolveCleanupOptions({ flags, section: { rules }, baseDir: '/', configFile: undefined });
}

function file(path: string, days: number, entry: FsEntryResource['entry'] = 'file'): FsEntryResource {
  return { type: 'fs-entry', path, entry, mtimeMs: NOW - days * DAY, size: 10 };
}

function fsListing(rule: string, files: FsEntryResource[], extra: Partial<RuleListing['listing']> = {}) {
  return {
    rule,
    provider: 'fs',
    location: '/srv/builds',
    listing: {
      items: files.map((resource) => ({
        key: resource.path,
        group: '*.gz',
        createdMs: resource.mtimeMs,
        ranked: resource.entry !== 'symlink',
        blocked: resource.entry === 'symlink' ? 'a symlink: never followed nor deleted' : undefined,
        resource,
      })),
      housekeeping: [],
      scanned: files.length,
      ...extra,
    },
  } satisfies RuleListing;
}

function image(repository: string, digest: string, tags: string[], days: number): ImageResource {
  return {
    type: 'image',
    repository,
    digest,
    tags,
    mediaType: undefined,
    created: new Date(NOW - days * DAY).toISOString(),
  };
}

function world(rules: RuleListing[]): CleanupWorld {
  return { now: NOW, rules, providers: new Map() };
}

const builds: RuleConfig = {
  name: 'builds',
  provider: 'fs',
  path: '/srv/builds',
  match: ['*.gz'],
  olderThan: '7d',
};

describe('Function: planCleanup', () => {
  it('deletes what is older than olderThan, keeps the rest and the symlinks, each with its reason', () => {
    const plan = planCleanup(
      world([fsListing('builds', [file('a.gz', 9), file('b.gz', 1), file('l.gz', 30, 'symlink')])]),
      options([builds]),
    );

    expect(plan.actions.map((a) => [a.id, a.kind, a.reason])).toEqual([
      ['delete:builds:a.gz', 'delete', 'age 9d, older than 7d; 10 B'],
      ['skip:builds:b.gz', 'skip', 'too new: age 1d, olderThan 7d; 10 B'],
      ['skip:builds:l.gz', 'skip', 'a symlink: never followed nor deleted'],
    ]);
    expect(plan.actions[0]?.target).toBe('builds: a.gz');
    expect(plan.info.rules).toEqual([
      {
        rule: 'builds',
        provider: 'fs',
        location: '/srv/builds',
        selection: 'match *.gz; olderThan 7d',
        scanned: 3,
      },
    ]);
  });

  it('keepLatest keeps the newest; a trash batch past its retention is deleted whatever its age', () => {
    const trash = {
      type: 'trash-batch' as const,
      path: '20260101T000000Z-r/builds',
      movedAt: '2026-01-01T00:00:00.000Z',
    };
    const plan = planCleanup(
      world([
        fsListing('builds', [file('a.gz', 30), file('b.gz', 20), file('c.gz', 10)], {
          housekeeping: [{ key: `trash/${trash.path}`, resource: trash, reason: 'past the retention' }],
        }),
      ]),
      options([{ ...builds, keepLatest: 2 }]),
    );

    expect(plan.actions.map((a) => `${a.kind} ${a.target}`)).toEqual([
      'delete builds: a.gz',
      'skip builds: b.gz',
      'skip builds: c.gz',
      'delete builds: trash 20260101T000000Z-r/builds',
    ]);
  });

  it('the cap, concurrency and journaling are data in the policy, from the flags over the config', () => {
    const plan = planCleanup(
      world([fsListing('builds', [file('a.gz', 9)])]),
      options([builds], { 'max-delete': 0, concurrency: 3 }),
    );

    expect(plan.policy).toEqual({
      onError: 'continue',
      concurrency: 3,
      journalKinds: ['delete'],
      maxDelete: 0,
      itemize: false,
    });
    expect(summarizePlan(plan)).toMatchObject({ delete: 1, skip: 0 });
  });

  it('names images by repository and short digest; only the chosen rules are planned, in config order', () => {
    const images: RuleConfig = {
      name: 'images',
      provider: 'registry',
      url: 'http://r',
      repositories: ['app'],
      olderThan: '7d',
    };
    const listing: RuleListing = {
      rule: 'images',
      provider: 'registry',
      location: 'http://r',
      listing: {
        items: [
          {
            key: 'app@sha256:0123456789abcdef',
            group: 'app',
            createdMs: NOW - 8 * DAY,
            resource: image('app', 'sha256:0123456789abcdef', ['ci-1', 'ci-1b'], 8),
          },
        ],
        housekeeping: [],
        scanned: 2,
      },
    };
    const plan = planCleanup(world([fsListing('builds', [file('a.gz', 9)]), listing]), {
      ...options([builds, images]),
      rules: options([builds, images]).rules.filter((rule) => rule.name === 'images'),
    });

    expect(plan.actions.map((a) => [a.id, a.target])).toEqual([
      ['delete:images:app@sha256:0123456789abcdef', 'images: app@sha256:0123456789ab [ci-1, ci-1b]'],
    ]);
    expect(plan.info.rules.map((rule) => rule.rule)).toEqual(['images']);
  });

  it('is pure: the same world and options give the same plan', () => {
    const input = world([fsListing('builds', [file('a.gz', 9), file('b.gz', 1)])]);
    expect(planCleanup(input, options([builds]))).toEqual(planCleanup(input, options([builds])));
  });
});

describe('Function: cleanupFacts', () => {
  it("keys each listed resource by rule and names what its decision weighs; a registry's every tag and tag list", () => {
    const facts = cleanupFacts(
      world([
        fsListing('builds', [file('a.gz', 9)]),
        {
          rule: 'images',
          provider: 'registry',
          location: 'http://r',
          listing: {
            items: [
              {
                key: 'app@sha256:1',
                group: 'app',
                createdMs: NOW,
                resource: image('app', 'sha256:1', ['ci-1'], 0),
              },
            ],
            housekeeping: [],
            scanned: 2,
            tagDigests: { app: { 'ci-1': 'sha256:1', latest: 'sha256:2' } },
          },
        },
      ]),
    );

    expect(facts).toEqual({
      'builds:a.gz': `file size=10 mtime=${new Date(NOW - 9 * DAY).toISOString()}`,
      'images:app@sha256:1': `sha256:1 tags=ci-1 created=${new Date(NOW).toISOString()}`,
      'images:tags app': 'ci-1,latest',
      'images:tag app:ci-1': 'sha256:1',
      'images:tag app:latest': 'sha256:2',
    });
  });
});
