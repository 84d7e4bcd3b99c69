import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { workspace } from '../helpers.js';
import { planActions, registryConfig } from './common.js';
import {
  daysAgo,
  getManifest,
  NO_REGISTRY,
  pullStatus,
  pushImage,
  pushManifest,
  skipRegistry,
  startRegistry,
  type TestRegistry,
  tagsOf,
} from './registry.js';

if (skipRegistry) console.warn(NO_REGISTRY);

const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';

describe.skipIf(skipRegistry)('what a kept tag needs is kept too (issue 14, item 9)', () => {
  let registry: TestRegistry;

  beforeAll(async () => {
    registry = await startRegistry();
  });
  afterAll(async () => {
    await registry?.stop();
  });

  it("a protected index's manifests and their referrers are never deleted through other tags; the plan says why", async () => {
    // Prepare: `latest` (protected) is an index over two images that CI also tagged ci-amd64 and
    // ci-arm64; an attestation (ci-att-1) has the amd64 image as its subject; ci-old is unrelated
    const { url } = registry;
    const repo = 'k1/app';
    const amd64 = await pushImage(url, repo, { tags: ['ci-amd64'], created: daysAgo(30) });
    const arm64 = await pushImage(url, repo, { tags: ['ci-arm64'], created: daysAgo(29) });
    const old = await pushImage(url, repo, { tags: ['ci-old'], created: daysAgo(40) });
    const child = async (digest: string, architecture: string) => ({
      mediaType: OCI_MANIFEST,
      digest,
      size: Buffer.byteLength(JSON.stringify(await getManifest(url, repo, digest))),
      platform: { os: 'linux', architecture },
    });
    const index = await pushManifest(url, repo, 'latest', {
      schemaVersion: 2,
      mediaType: OCI_INDEX,
      manifests: [await child(amd64, 'amd64'), await child(arm64, 'arm64')],
    });
    const amd64Manifest = await getManifest(url, repo, amd64);
    const attestation = await pushManifest(url, repo, 'ci-att-1', {
      ...amd64Manifest,
      artifactType: 'application/vnd.in-toto+json',
      subject: {
        mediaType: OCI_MANIFEST,
        digest: amd64,
        size: Buffer.byteLength(JSON.stringify(amd64Manifest)),
      },
    });
    const ws = await workspace();
    const config = await registryConfig(ws, {
      url,
      repositories: [repo],
      tags: '^ci-',
      olderThan: '7d',
      protectTags: ['^latest$'],
    });

    // Act 1: the plan
    const plan = await ws.run(['plan', '--config', config, '--json']);

    // Assess 1: only the unrelated image goes; each kept digest says what needs it
    expect(plan.code, plan.stderr).toBe(0);
    const actions = planActions(plan.stdout);
    const reasonOf = (digest: string) => actions.find((a) => a.details.resource.digest === digest)?.reason;
    expect(actions.filter((a) => a.kind === 'delete').map((a) => a.details.resource.digest)).toEqual([old]);
    const latest = `a manifest of index ${repo}@${index.digest.slice(0, 19)} [latest], which stays (not selected by the rule)`;
    expect(reasonOf(amd64)).toBe(`kept: ${latest}`);
    expect(reasonOf(arm64)).toBe(`kept: ${latest}`);
    expect(reasonOf(attestation.digest)).toMatch(
      new RegExp(
        `^kept: a referrer of ${repo}@${amd64.slice(0, 19)} \\[ci-amd64\\], which stays \\(kept: a manifest of index`,
      ),
    );

    // Act 2: the run
    const run = await ws.run(['run', '--config', config, '--yes']);

    // Assess 2: latest still pulls, every manifest of it too
    expect(run.code, run.stderr).toBe(0);
    expect(await tagsOf(url, repo)).toEqual(['ci-amd64', 'ci-arm64', 'ci-att-1', 'latest']);
    expect((await getManifest(url, repo, 'latest')).manifests).toHaveLength(2);
    for (const digest of [amd64, arm64, attestation.digest])
      expect(await pullStatus(url, repo, digest)).toBe(200);
    expect(await pullStatus(url, repo, old)).toBe(404);
  });
});
