import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { deadUrl, startFaultServer } from '@tempered/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { messages, workspace } from '../helpers.js';
import { planActions, registryConfig } from './common.js';
import {
  daysAgo,
  NO_REGISTRY,
  pullStatus,
  pushImage,
  skipRegistry,
  startRegistry,
  type TestRegistry,
  tagsOf,
} from './registry.js';
import { countOf, totalOf } from './relay.js';

if (skipRegistry) console.warn(NO_REGISTRY);

describe.skipIf(skipRegistry)('registry rules against a real registry', () => {
  let registry: TestRegistry;

  beforeAll(async () => {
    registry = await startRegistry();
  });
  afterAll(async () => {
    await registry?.stop();
  });

  it('plans first and deletes nothing on dry-run; run deletes only digests whose every tag is a candidate', async () => {
    // Prepare: t1/web holds a stale tag sharing its digest with latest, and one sharing with an unselected tag
    const { url } = registry;
    const stale = await pushImage(url, 't1/web', { tags: ['ci-1'], created: daysAgo(30) });
    const withLatest = await pushImage(url, 't1/web', { tags: ['ci-2', 'latest'], created: daysAgo(20) });
    const fresh = await pushImage(url, 't1/web', { tags: ['ci-3'], created: daysAgo(1) });
    await pushImage(url, 't1/web', { tags: ['v1.2.3'], created: daysAgo(40) });
    const aliased = await pushImage(url, 't1/web', { tags: ['ci-4', 'ci-4-alias'], created: daysAgo(25) });
    const withRelease = await pushImage(url, 't1/web', { tags: ['ci-5', 'release-5'], created: daysAgo(25) });
    const api = await pushImage(url, 't1/api', { tags: ['ci-1'], created: daysAgo(30), format: 'docker' });
    await pushImage(url, 'other/x', { tags: ['ci-1'], created: daysAgo(30) });
    const proxy = await startFaultServer([], { target: url });
    const ws = await workspace();
    const config = await registryConfig(ws, {
      url: proxy.url,
      repositories: ['t1/*'],
      tags: '^ci-',
      olderThan: '7d',
      protectTags: ['^latest$', '^v\\d+\\.\\d+\\.\\d+$'],
      pageSize: 1, // the catalog then comes in pages, each one linked from the last
    });
    const deletesBefore = totalOf(proxy, 'DELETE');

    // Act 1: the plan
    const plan = await ws.run(['plan', '--config', config, '--json']);

    // Assess 1: every candidate and every skip with its reason; nothing sent but reads
    expect(plan.code, plan.stderr).toBe(0);
    const actions = planActions(plan.stdout);
    const byDigest = new Map(
      actions.map((a) => [`${a.details.resource.repository}@${a.details.resource.digest}`, a]),
    );
    expect(
      actions
        .filter((a) => a.kind === 'delete')
        .map((a) => a.id)
        .sort(),
    ).toEqual(
      [
        `delete:images:t1/api@${api}`,
        `delete:images:t1/web@${aliased}`,
        `delete:images:t1/web@${stale}`,
      ].sort(),
    );
    expect(byDigest.get(`t1/web@${withLatest}`)?.reason).toMatch(
      /^shared digest: latest \(protected\) points at it too/,
    );
    expect(byDigest.get(`t1/web@${withRelease}`)?.reason).toMatch(
      /^shared digest: release-5 \(not selected by the rule\) points at it too/,
    );
    expect(byDigest.get(`t1/web@${fresh}`)?.reason).toMatch(/^too new: age 1d, olderThan 7d/);
    expect(byDigest.get(`t1/web@${aliased}`)?.details.resource.tags).toEqual(['ci-4', 'ci-4-alias']);
    expect(actions.some((a) => a.details.resource.repository === 'other/x')).toBe(false);
    expect(totalOf(proxy, 'DELETE')).toBe(deletesBefore);
    expect(countOf(proxy, 'GET', '/v2/_catalog')).toBeGreaterThanOrEqual(3);
    expect(await tagsOf(url, 't1/web')).toEqual([
      'ci-1',
      'ci-2',
      'ci-3',
      'ci-4',
      'ci-4-alias',
      'ci-5',
      'latest',
      'release-5',
      'v1.2.3',
    ]);

    // Act 2: without --yes (no TTY) nothing is deleted
    const refused = await ws.run(['run', '--config', config]);

    // Assess 2
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('refusing to delete 3 resources without --yes');
    expect(totalOf(proxy, 'DELETE')).toBe(deletesBefore);

    // Act 3: the real run
    const run = await ws.run(['run', '--config', config, '--yes']);

    // Assess 3: the three digests went, with their tags; the shared and protected ones stay; latest pulls
    expect(run.code, run.stderr).toBe(0);
    expect(await tagsOf(url, 't1/web')).toEqual(['ci-2', 'ci-3', 'ci-5', 'latest', 'release-5', 'v1.2.3']);
    expect(await tagsOf(url, 't1/api')).toEqual([]);
    expect(await tagsOf(url, 'other/x')).toEqual(['ci-1']);
    expect(await pullStatus(url, 't1/web', 'latest')).toBe(200);
    expect(await pullStatus(url, 't1/web', withLatest)).toBe(200);
    expect(run.stdout).toContain('Cleanup: 3 deleted');
    expect(run.stdout).toContain("Registry space returns only after the registry's garbage collection");
    expect(totalOf(proxy, 'DELETE') - deletesBefore).toBe(3);
    const audit = (await readFile(join(ws.stateDir(), 'audit.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { event: string; action: string });
    for (const digest of [stale, aliased]) {
      const events = audit
        .filter((entry) => entry.action === `delete:images:t1/web@${digest}`)
        .map((e) => e.event);
      expect(events).toEqual(['deleting', 'deleted']);
    }

    // Act 4: a re-run finds nothing to delete
    const again = await ws.run(['run', '--config', config, '--yes']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/^Nothing to delete: 3 kept across 1 rule\(s\)\./);
  });

  it('keepLatest keeps the N newest images of each repository, Docker and OCI manifests alike', async () => {
    const { url } = registry;
    const a = [10, 20, 30, 40].map((days) => ({ days }));
    const digests: string[] = [];
    for (const [i, { days }] of a.entries()) {
      digests.push(
        await pushImage(url, 't2/a', {
          tags: [`ci-${i}`],
          created: daysAgo(days),
          format: i % 2 ? 'docker' : 'oci',
        }),
      );
    }
    await pushImage(url, 't2/b', { tags: ['ci-0'], created: daysAgo(50) });
    await pushImage(url, 't2/b', { tags: ['ci-1'], created: daysAgo(60) });
    const ws = await workspace();
    const config = await registryConfig(ws, {
      url,
      repositories: ['t2/a', 't2/b'],
      olderThan: '1d',
      keepLatest: 2,
    });

    const run = await ws.run(['run', '--config', config, '--yes', '--json']);

    expect(run.code, run.stderr).toBe(0);
    expect(await tagsOf(url, 't2/a')).toEqual(['ci-0', 'ci-1']);
    expect(await tagsOf(url, 't2/b')).toEqual(['ci-0', 'ci-1']);
    const result = JSON.parse(run.stdout).result;
    expect(result.cleanup.deleted).toBe(2);
    expect(result.cleanup.rules[0].kept).toBe(4);
  });

  it('over --max-delete deletes nothing and exits 3 with the count', async () => {
    const { url } = registry;
    for (const i of [1, 2, 3]) await pushImage(url, 't3/x', { tags: [`ci-${i}`], created: daysAgo(10 + i) });
    const proxy = await startFaultServer([], { target: url });
    const ws = await workspace();
    const config = await registryConfig(ws, { url: proxy.url, repositories: ['t3/x'], olderThan: '7d' });
    const deletesBefore = totalOf(proxy, 'DELETE');

    const run = await ws.run(['run', '--config', config, '--yes', '--max-delete', '2']);

    expect(run.code).toBe(3);
    expect(run.stderr).toContain('would delete 3 entries, over the cap of 2; nothing was deleted');
    expect(totalOf(proxy, 'DELETE')).toBe(deletesBefore);
    expect(await tagsOf(url, 't3/x')).toEqual(['ci-1', 'ci-2', 'ci-3']);
  });

  it('an unreachable registry is an error (75 after the retries), never an empty plan', async () => {
    const ws = await workspace();
    const config = await registryConfig(ws, {
      url: await deadUrl(),
      repositories: ['t4/x'],
      olderThan: '7d',
    });

    const plan = await ws.run(['plan', '--config', config]);

    expect(plan.code).toBe(75);
    expect(plan.stdout).toBe('');
    const error = plan.logs.find((line) => line.level === 50);
    expect(error?.msg).toMatch(/rule "images": GET .*\/v2\/ failed after 4 attempts: .*ECONNREFUSED/);
    expect(messages(plan)).not.toContain('rule listed');
  });

  it('a URL that is not a registry, or patterns that match no repository, are errors (exit 1)', async () => {
    const ws = await workspace();
    const notRegistry = await startFaultServer([], { fallback: { status: 404, body: 'not here' } });
    const wrongConfig = await registryConfig(ws, { url: notRegistry.url, repositories: ['t4/x'] });
    const wrongUrl = await ws.run(['plan', '--config', wrongConfig]);
    expect(wrongUrl.code).toBe(1);
    expect(wrongUrl.stderr).toContain('is not an OCI registry: GET /v2/ -> 404');
    const config = await registryConfig(ws, { url: registry.url, repositories: ['nothing-like-this/*'] });
    const noMatch = await ws.run(['plan', '--config', config]);
    expect(noMatch.code).toBe(1);
    expect(noMatch.stderr).toContain('no repository of');
    expect(noMatch.stdout).toBe('');
  });
});
