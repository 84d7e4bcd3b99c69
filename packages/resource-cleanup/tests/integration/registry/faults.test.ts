import { type FaultStep, startFaultServer, stateOf } from '@tempered/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { workspace } from '../helpers.js';
import { registryConfig } from './common.js';
import {
  daysAgo,
  NO_REGISTRY,
  pushImage,
  skipRegistry,
  startRegistry,
  type TestRegistry,
  tagsOf,
} from './registry.js';
import { attemptOf, countOf, type Forwarded, relay } from './relay.js';

if (skipRegistry) console.warn(NO_REGISTRY);

describe.skipIf(skipRegistry)('registry faults: throttling, resets, kill -9', () => {
  let registry: TestRegistry;

  beforeAll(async () => {
    registry = await startRegistry();
  });
  afterAll(async () => {
    await registry?.stop();
  });

  it('survives 429 with Retry-After, 503 and a reset within the retry budget, with exact attempt counts', async () => {
    // Prepare
    const { url } = registry;
    const digests = [];
    for (const i of [1, 2, 3])
      digests.push(await pushImage(url, 'f1/x', { tags: [`ci-${i}`], created: daysAgo(10 + i) }));
    await pushImage(url, 'f1/x', { tags: ['keep'], created: daysAgo(30) });
    const forwarded: Forwarded[] = [];
    const forward = relay(url, { forwarded });
    const proxy = await startFaultServer([], {
      fallback: (req) => {
        const attempt = attemptOf(proxy, req);
        if (req.path === '/v2/' && attempt === 1) return { status: 503, headers: { 'retry-after': '0' } };
        if (req.method === 'HEAD' && req.path === '/v2/f1/x/manifests/ci-2' && attempt === 1)
          return { reset: true };
        if (req.method === 'DELETE' && attempt === 1) return { status: 429, headers: { 'retry-after': '1' } };
        if (req.method === 'DELETE' && attempt === 2) return { status: 503 };
        return forward(req);
      },
    });
    const ws = await workspace();
    const config = await registryConfig(ws, {
      url: proxy.url,
      repositories: ['f1/x'],
      tags: '^ci-',
      olderThan: '7d',
    });

    // Act
    const run = await ws.run(['run', '--config', config, '--yes', '--concurrency', '3']);

    // Assess: every DELETE took exactly three attempts (429, 503, then through), the reset HEAD two
    expect(run.code, run.stderr).toBe(0);
    expect(await tagsOf(url, 'f1/x')).toEqual(['keep']);
    expect(countOf(proxy, 'GET', '/v2/')).toBe(2);
    expect(countOf(proxy, 'HEAD', '/v2/f1/x/manifests/ci-2')).toBe(2);
    expect(countOf(proxy, 'HEAD', '/v2/f1/x/manifests/ci-1')).toBe(1);
    for (const digest of digests) expect(countOf(proxy, 'DELETE', `/v2/f1/x/manifests/${digest}`)).toBe(3);
    expect(forwarded.filter((f) => f.method === 'DELETE').map((f) => f.status)).toEqual([202, 202, 202]);
    const retries = run.logs.filter((line) => line.msg === 'retrying');
    expect(retries).toHaveLength(1 + 1 + 2 * 3);
    // the server's Retry-After (1 s) was waited for, not our 10 ms backoff
    expect(retries.filter((line) => line.status === 429).map((line) => line.delayMs)).toEqual([
      1000, 1000, 1000,
    ]);
    const [record] = await stateOf(ws).runRecords();
    expect(record?.retries).toBe(8);
  });

  it('kill -9 mid-run, then a re-run finishes without error and without repeating a delete', async () => {
    // Prepare: six stale images; the proxy holds the fourth DELETE until the CLI is killed
    const { url } = registry;
    const digests: string[] = [];
    for (const i of [1, 2, 3, 4, 5, 6])
      digests.push(await pushImage(url, 'f2/x', { tags: [`ci-${i}`], created: daysAgo(10 + i) }));
    const forwarded: Forwarded[] = [];
    const forward = relay(url, { forwarded });
    let deletes = 0;
    let onHeld = () => {};
    const held = new Promise<void>((resolve) => {
      onHeld = resolve;
    });
    // the held request is answered by nothing until the server closes at the end of the test
    const hold: FaultStep = { stallMs: 600_000, status: 503 };
    const proxy = await startFaultServer([], {
      fallback: (req) => {
        if (req.method === 'DELETE' && ++deletes === 4) {
          onHeld();
          return hold;
        }
        return forward(req);
      },
    });
    const ws = await workspace();
    const config = await registryConfig(ws, { url: proxy.url, repositories: ['f2/x'], olderThan: '7d' });

    // Act 1: killed while its fourth deletion is in flight
    const first = ws.start(['run', '--config', config, '--yes', '--concurrency', '1']);
    await held;
    first.kill('SIGKILL');
    const killed = await first.exit;
    expect(killed.signal).toBe('SIGKILL');
    expect(await tagsOf(url, 'f2/x')).toHaveLength(3);

    // Act 2: the re-run
    proxy.fallback = forward;
    const second = await ws.run(['run', '--config', config, '--yes', '--concurrency', '1']);

    // Assess: finished cleanly; each digest was deleted exactly once over both runs
    expect(second.code, second.stderr).toBe(0);
    expect(second.logs.filter((line) => line.level >= 50)).toEqual([]);
    expect(second.logs.map((line) => line.msg)).toContain('resuming an interrupted run from its journal');
    expect(await tagsOf(url, 'f2/x')).toEqual([]);
    const deleted = forwarded.filter((f) => f.method === 'DELETE');
    expect(deleted.map((f) => f.status)).toEqual([202, 202, 202, 202, 202, 202]);
    expect(new Set(deleted.map((f) => f.path)).size).toBe(6);
    expect(second.stdout).toContain('Cleanup: 3 deleted');
  });
});
