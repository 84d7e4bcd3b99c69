import { silentLogger } from '@tempered/core';
import { describe, expect, it } from 'vitest';
import { resolveCleanupOptions } from '../../../src/options.js';
import { buildRuleActions } from '../../../src/plan/buildActions.js';
import { RegistryProvider, type RegistryProviderOptions } from '../../../src/registry/RegistryProvider.js';
import { FakeRegistry } from './fakeRegistry.js';

const DAY = 86_400_000;
const ago = (days: number) => new Date(Date.now() - days * DAY).toISOString();
const ctx = { logger: silentLogger() };

function provider(fake: FakeRegistry, options: Partial<RegistryProviderOptions> = {}) {
  return new RegistryProvider({
    rule: 'images',
    url: fake.base,
    repositories: ['app/*'],
    pageSize: 100,
    concurrency: 4,
    http: fake.client,
    ...options,
  });
}

/** Plans one registry rule against the fake, as the run command would. */
async function plan(fake: FakeRegistry, rule: Record<string, unknown>) {
  const [resolved] = resolveCleanupOptions({
    flags: {},
    section: {
      rules: [
        { name: 'images', provider: 'registry', url: fake.base, repositories: ['app/*'], ...rule },
      ] as never,
    },
    baseDir: '/',
    configFile: undefined,
  }).rules;
  if (resolved?.provider !== 'registry') throw new Error('no rule');
  const p = provider(fake, {
    repositories: resolved.repositories,
    tags: resolved.tags,
    protectTags: resolved.protectTags,
  });
  const listing = await p.list(ctx);
  return Object.fromEntries(
    buildRuleActions(resolved, p, listing, Date.now()).actions.map((a) => [
      a.target.replace(/@sha256:\w+/, ''),
      `${a.kind}: ${a.reason}`,
    ]),
  );
}

describe('Class: RegistryProvider (in-memory registry)', () => {
  it('groups tags by digest: a digest goes only when every tag on it is a candidate', async () => {
    const fake = new FakeRegistry();
    fake.push('app/web', { tags: ['ci-1'], created: ago(30) });
    fake.push('app/web', { tags: ['ci-2', 'latest'], created: ago(30) });
    fake.push('app/web', { tags: ['ci-3', 'nightly'], created: ago(30) });
    fake.push('app/web', { tags: ['v1.0.0'], created: ago(30) });
    fake.push('lib/x', { tags: ['ci-1'], created: ago(30) });

    const result = await plan(fake, { tags: '^ci-', olderThan: '7d', protectTags: ['^latest$'] });

    expect(result).toEqual({
      'images: app/web [ci-1]': 'delete: age 30d, older than 7d',
      'images: app/web [ci-2, latest]': 'skip: shared digest: latest (protected) points at it too',
      'images: app/web [ci-3, nightly]':
        'skip: shared digest: nightly (not selected by the rule) points at it too',
    });
  });

  it('keeps the newest per repository, dates an index by its newest image, and never ages an undated one', async () => {
    const fake = new FakeRegistry();
    fake.push('app/a', { tags: ['ci-1'], created: ago(40) });
    fake.push('app/a', { tags: ['ci-2'], created: ago(30) });
    const child = fake.push('app/a', { tags: [], created: ago(3) });
    fake.push('app/a', { tags: ['ci-multi'], index: [child] });
    fake.push('app/b', { tags: ['ci-undated'] });

    const result = await plan(fake, { olderThan: '7d', keepLatest: 1 });

    expect(result).toEqual({
      'images: app/a [ci-1]': 'delete: age 40d, older than 7d',
      'images: app/a [ci-2]': 'delete: age 30d, older than 7d',
      'images: app/a [ci-multi]': 'skip: kept: one of the 1 newest in app/a (age 3d)',
      'images: app/b [ci-undated]': 'skip: kept: one of the 1 newest in app/b (age unknown)',
    });
  });

  it('treats a 404 on delete as already deleted', async () => {
    const fake = new FakeRegistry();
    const digest = fake.push('app/web', { tags: ['ci-1'], created: ago(30) });
    const p = provider(fake);
    const resource = {
      type: 'image' as const,
      repository: 'app/web',
      digest,
      tags: ['ci-1'],
      mediaType: undefined,
      created: undefined,
    };

    expect(await p.delete(resource, ctx)).toEqual({ status: 'deleted' });
    expect(await p.delete(resource, ctx)).toEqual({ status: 'already-gone' });
  });

  it('names a literal repository the registry does not know, and a glob that matches nothing', async () => {
    const fake = new FakeRegistry();
    fake.push('app/web', { tags: ['x'], created: ago(1) });
    await expect(provider(fake, { repositories: ['app/nope'] }).list(ctx)).rejects.toThrow(
      'rule "images": repository app/nope is not known to http://fake.registry',
    );
    await expect(provider(fake, { repositories: ['lib/*'] }).list(ctx)).rejects.toThrow(
      /no repository of http:\/\/fake.registry matches lib\/\* \(the catalog lists 1\)/,
    );
  });

  it('answers a basic challenge with the rule credentials, and fails with a hint without them', async () => {
    const fake = new FakeRegistry();
    fake.push('app/web', { tags: ['ci-1'], created: ago(30) });
    fake.auth = { kind: 'basic', header: `Basic ${Buffer.from('u:p').toString('base64')}` };

    await expect(provider(fake).list(ctx)).rejects.toMatchObject({
      exitCode: 1,
      message: 'registry auth: the registry asks for credentials (basic auth) and the rule has none',
    });
    const listing = await provider(fake, { auth: { username: 'u', password: 'p' } }).list(ctx);
    expect(listing.items).toHaveLength(1);
    await expect(provider(fake, { auth: { username: 'u', password: 'wrong' } }).list(ctx)).rejects.toThrow(
      'registry auth: the registry did not accept the username and password',
    );
  });

  it('follows the bearer challenge: one token per scope, fetched with the basic credentials', async () => {
    const fake = new FakeRegistry();
    const digest = fake.push('app/web', { tags: ['ci-1', 'ci-2'], created: ago(30) });
    fake.auth = { kind: 'bearer', credentials: `Basic ${Buffer.from('u:p').toString('base64')}` };
    // the fake's token server is plain http on a non-loopback host: trusted only when listed
    const p = provider(fake, { auth: { username: 'u', password: 'p' }, tokenRealms: [fake.base] });

    await p.list(ctx);
    await p.delete(
      { type: 'image', repository: 'app/web', digest, tags: [], mediaType: undefined, created: undefined },
      ctx,
    );

    expect([...fake.issued.values()].sort()).toEqual([
      '',
      'registry:catalog:*',
      'repository:app/web:delete',
      'repository:app/web:pull',
    ]);
    expect(fake.repos.get('app/web')?.size).toBe(0);
  });

  it('does not delete a digest a protected tag was moved onto after the plan', async () => {
    const fake = new FakeRegistry();
    const stale = fake.push('app/web', { tags: ['ci-1'], created: ago(30) });
    fake.push('app/web', { tags: ['latest'], created: ago(1) });
    const p = provider(fake, { protectTags: ['^latest$'] });
    const listing = await p.list(ctx);
    const item = listing.items.find((i) => i.resource.digest === stale);
    if (!item) throw new Error('not listed');
    fake.repos.get('app/web')?.set('latest', stale); // a rollback by re-tagging, between plan and delete

    await expect(p.delete(item.resource, ctx)).rejects.toThrow(
      `app/web@${stale} not deleted: protected tag latest points at it now`,
    );
    expect([...(fake.repos.get('app/web')?.keys() ?? [])].sort()).toEqual(['ci-1', 'latest']);
  });
});
