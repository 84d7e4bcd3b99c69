import { startFaultServer } from '@tempered/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Workspace, workspace } from '../helpers.js';
import { registryConfig } from './common.js';
import {
  daysAgo,
  NO_REGISTRY,
  pushImage,
  skipRegistry,
  startRegistry,
  type TestRegistry,
} from './registry.js';
import { countOf, relayNow } from './relay.js';

if (skipRegistry) console.warn(NO_REGISTRY);

/** The old code never ended; past this the test kills the CLI and fails instead of hanging. */
const PATIENCE_MS = 15_000;

/** `plan`, killed after PATIENCE_MS: code null and `killed` true tell a listing that never ended. */
async function planWithin(ws: Workspace, config: string) {
  const cli = ws.start(['plan', '--config', config]);
  let killed = false;
  const timer = setTimeout(() => {
    killed = true;
    cli.kill('SIGKILL');
  }, PATIENCE_MS);
  const result = await cli.exit;
  clearTimeout(timer);
  return { ...result, killed };
}

describe.skipIf(skipRegistry)('registry pagination ends (issue 14, item 7)', () => {
  let registry: TestRegistry;

  beforeAll(async () => {
    registry = await startRegistry();
    await pushImage(registry.url, 'p1/x', { tags: ['ci-1'], created: daysAgo(10) });
    await pushImage(registry.url, 'p1/x', { tags: ['ci-2'], created: daysAgo(10) });
  });
  afterAll(async () => {
    await registry?.stop();
  });

  it('a Link back to the page just read ends the listing: exit 1 after one request, not an endless loop', async () => {
    // Prepare: a front whose tag pages all link to themselves
    const proxy = await startFaultServer([], {
      fallback: async (req) => {
        const answer = await relayNow(registry.url, req);
        if (req.path === '/v2/p1/x/tags/list')
          answer.headers = { ...answer.headers, link: `<${req.url}>; rel="next"` };
        return answer;
      },
    });
    const ws = await workspace();
    const config = await registryConfig(ws, { url: proxy.url, repositories: ['p1/x'], pageSize: 1 });

    // Act
    const plan = await planWithin(ws, config);

    // Assess
    expect(
      plan.killed,
      `still listing after ${PATIENCE_MS} ms: ${countOf(proxy, 'GET', '/v2/p1/x/tags/list')} tag pages requested`,
    ).toBe(false);
    expect(plan.code).toBe(1);
    expect(plan.stderr).toContain(
      "the tag list of p1/x: the registry's Link header points back to a page already read (/v2/p1/x/tags/list?n=1)",
    );
    expect(plan.stderr).not.toMatch(/\n\s+at /);
    expect(countOf(proxy, 'GET', '/v2/p1/x/tags/list')).toBe(1);
  });

  it('pages that never repeat stop at maxPages: exit 1 after exactly that many requests', async () => {
    // Prepare: a catalog that always has one more page, each at a new URL
    let served = 0;
    const proxy = await startFaultServer([], {
      fallback: (req) => {
        if (req.path !== '/v2/_catalog') return relayNow(registry.url, req);
        served++;
        return {
          status: 200,
          headers: {
            'content-type': 'application/json',
            link: `</v2/_catalog?n=1&last=r${served}>; rel="next"`,
          },
          body: JSON.stringify({ repositories: [`p2/r${served}`] }),
        };
      },
    });
    const ws = await workspace();
    const config = await registryConfig(ws, {
      url: proxy.url,
      repositories: ['p2/*'],
      pageSize: 1,
      maxPages: 5,
    });

    // Act
    const plan = await planWithin(ws, config);

    // Assess
    expect(plan.killed, `still listing after ${PATIENCE_MS} ms: ${served} catalog pages served`).toBe(false);
    expect(plan.code).toBe(1);
    expect(plan.stderr).toContain('the catalog: more than 5 pages (maxPages); refused');
    expect(served).toBe(5);
  });
});
