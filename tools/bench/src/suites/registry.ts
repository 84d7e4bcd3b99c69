import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mapConcurrently } from '@tempered/core';
import { builtClis } from '../paths.js';
import { type PairResult, runPair } from '../runPair.js';

const REGISTRY = '/usr/bin/docker-registry';
const DAY = 86_400_000;
/** Image pushes in flight at once while seeding the registry (untimed). */
const PUSH_CONCURRENCY = 32;

interface Layout {
  repositories: string[];
  /** Per repository: every tag pushed, and the tags a correct run leaves. */
  pushed: Map<string, { tag: string; created: string }[]>;
  kept: Map<string, string[]>;
  deletions: number;
}

/**
 * `tags` tags over `repos` repositories `bench/rNN`, each tag its own image (digest): even tags 30
 * days old (deleted by `olderThan: 7d`) except every tenth, named `v1.<i>` (protected), odd tags
 * one day old (kept). 40% of the tags are expected to go.
 */
export function layout(tags: number, repos: number): Layout {
  const perRepo = Math.ceil(tags / repos);
  const now = Date.now();
  const repositories: string[] = [];
  const pushed = new Map<string, { tag: string; created: string }[]>();
  const kept = new Map<string, string[]>();
  let deletions = 0;
  for (let r = 0; r < repos; r++) {
    const repo = `bench/r${String(r).padStart(2, '0')}`;
    repositories.push(repo);
    const all: { tag: string; created: string }[] = [];
    const keep: string[] = [];
    for (let i = 0; i < perRepo; i++) {
      const old = i % 2 === 0;
      const tag = old && i % 10 === 0 ? `v1.${i}` : `ci-${i}`;
      all.push({ tag, created: new Date(now - (old ? 30 : 1) * DAY).toISOString() });
      if (old && !tag.startsWith('v')) deletions++;
      else keep.push(tag);
    }
    pushed.set(repo, all);
    kept.set(repo, keep.sort());
  }
  return { repositories, pushed, kept, deletions };
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Debian's docker-registry (the CNCF Distribution registry) on 127.0.0.1, deletes enabled, no
 * cache configured (every request reads the storage directory, so restoring it between runs is
 * enough). Its output is ignored: the harness blocks its event loop while timing, so a piped
 * stderr could fill up and stall the registry.
 */
export async function startRegistry(
  dir: string,
  data: string,
): Promise<{ url: string; child: ChildProcess; stop(): void }> {
  const port = await freePort();
  const config = join(dir, 'config.yml');
  writeFileSync(
    config,
    [
      'version: 0.1',
      'log:',
      '  level: error',
      '  accesslog:',
      '    disabled: true',
      'storage:',
      '  filesystem:',
      `    rootdirectory: ${data}`,
      '  delete:',
      '    enabled: true',
      'http:',
      `  addr: 127.0.0.1:${port}`,
      '  secret: tempered-bench-secret',
      '',
    ].join('\n'),
  );
  const child = spawn(REGISTRY, ['serve', config], { stdio: 'ignore' });
  const url = `http://127.0.0.1:${port}`;
  const stop = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  };
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (child.exitCode !== null)
      throw new Error(`docker-registry exited (${child.exitCode}) before listening`);
    try {
      const probe = await fetch(`${url}/v2/`);
      await probe.arrayBuffer();
      if (probe.status === 200) return { url, child, stop };
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      stop();
      throw new Error('docker-registry did not answer /v2/ within 15 s');
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const sha256 = (bytes: Buffer) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

async function pushBlob(
  url: string,
  repository: string,
  bytes: Buffer,
): Promise<{ digest: string; size: number }> {
  const digest = sha256(bytes);
  const start = await fetch(`${url}/v2/${repository}/blobs/uploads/`, { method: 'POST' });
  await start.arrayBuffer();
  if (start.status !== 202) throw new Error(`blob upload start -> ${start.status}`);
  const location = new URL(start.headers.get('location') ?? '', url);
  location.searchParams.set('digest', digest);
  const put = await fetch(location, {
    method: 'PUT',
    body: bytes,
    headers: { 'content-type': 'application/octet-stream' },
  });
  const text = await put.text();
  if (put.status !== 201) throw new Error(`blob upload -> ${put.status} ${text}`);
  return { digest, size: bytes.length };
}

/** One OCI image per tag (its own config blob, so its own digest), over a layer shared per repository. */
export async function seed(url: string, plan: Layout): Promise<void> {
  const layers = new Map<string, { digest: string; size: number }>();
  for (const repo of plan.repositories)
    layers.set(repo, await pushBlob(url, repo, Buffer.from(`layer of ${repo}`)));
  const jobs = plan.repositories.flatMap((repo) =>
    (plan.pushed.get(repo) ?? []).map((t) => ({ repo, ...t })),
  );
  const pushImage = async (job: (typeof jobs)[number]): Promise<void> => {
    const layer = layers.get(job.repo)!;
    const config = await pushBlob(
      url,
      job.repo,
      Buffer.from(
        JSON.stringify({
          architecture: 'amd64',
          os: 'linux',
          created: job.created,
          rootfs: { type: 'layers', diff_ids: [layer.digest] },
          config: { Labels: { tag: `${job.repo}:${job.tag}` } },
        }),
      ),
    );
    const manifest = JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config },
      layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', ...layer }],
    });
    const put = await fetch(`${url}/v2/${job.repo}/manifests/${job.tag}`, {
      method: 'PUT',
      body: manifest,
      headers: { 'content-type': 'application/vnd.oci.image.manifest.v1+json' },
    });
    const text = await put.text();
    if (put.status !== 201) throw new Error(`manifest ${job.repo}:${job.tag} -> ${put.status} ${text}`);
  };
  await mapConcurrently(jobs, pushImage, { concurrency: PUSH_CONCURRENCY });
}

/** The tags of a repository as the registry stores them (what `GET /v2/<repo>/tags/list` reads). */
function storedTags(data: string, repository: string): string[] {
  const dir = join(data, 'docker/registry/v2/repositories', repository, '_manifests/tags');
  return existsSync(dir) ? readdirSync(dir).sort() : [];
}

function run(command: string, args: string[]): void {
  const result = spawnSync(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  if (result.status !== 0)
    throw new Error(`${command} ${args.join(' ')} failed: ${result.stderr?.toString()}`);
}

/**
 * `resource-cleanup run --yes` on a real registry (Debian's docker-registry) with its default
 * concurrency against the same run with `--concurrency 1`: every run starts from the same pristine
 * registry storage and must delete exactly the expected tags, no more, no fewer.
 */
export async function registrySuite(options: { quick: boolean }): Promise<PairResult[]> {
  const cli = builtClis().find((c) => c.name === 'resource-cleanup');
  if (!cli || !existsSync(REGISTRY)) {
    process.stderr.write(
      `registry suite skipped: needs packages/resource-cleanup built and ${REGISTRY} (apt-get install docker-registry)\n`,
    );
    return [];
  }
  const tags = options.quick ? 200 : 5000;
  const repos = options.quick ? 5 : 50;
  const plan = layout(tags, repos);
  const work = mkdtempSync(join(tmpdir(), 'tempered-bench-registry-'));
  const data = join(work, 'data');
  const pristine = join(work, 'pristine');
  const registry = await startRegistry(work, data);
  const stopOnExit = () => registry.stop();
  process.on('exit', stopOnExit);
  try {
    const seeded = Date.now();
    await seed(registry.url, plan);
    process.stderr.write(`  pushed ${tags} tags across ${repos} repositories in ${Date.now() - seeded} ms\n`);
    for (const repo of plan.repositories) {
      if (storedTags(data, repo).length !== plan.pushed.get(repo)?.length)
        throw new Error(`seeding ${repo} left ${storedTags(data, repo).length} tags`);
    }
    run('cp', ['-a', data, pristine]);

    const home = join(work, 'home');
    const state = join(work, 'state');
    const config = join(work, 'tempered.json');
    writeFileSync(
      config,
      `${JSON.stringify(
        {
          'resource-cleanup': {
            maxDelete: tags,
            rules: [
              {
                name: 'bench',
                provider: 'registry',
                url: registry.url,
                repositories: ['bench/*'],
                olderThan: '7d',
                protectTags: ['^v'],
              },
            ],
          },
        },
        null,
        2,
      )}\n`,
    );
    const env = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: home,
      XDG_STATE_HOME: state,
      XDG_CONFIG_HOME: join(work, 'config-home'),
      LANG: 'C.UTF-8',
      TZ: 'UTC',
    };
    // the same starting registry and no journal of an earlier run: the storage restored, state gone
    const before = () => {
      rmSync(data, { recursive: true, force: true });
      rmSync(state, { recursive: true, force: true });
      mkdirSync(home, { recursive: true });
      run('cp', ['-a', pristine, data]);
    };
    // a fast wrong answer is not a result: exactly the expected tags deleted, zero extra deletions
    const after = (label: string) => () => {
      let left = 0;
      for (const repo of plan.repositories) {
        const got = storedTags(data, repo);
        const want = plan.kept.get(repo) ?? [];
        left += got.length;
        if (got.join(',') !== want.join(',')) {
          const missing = want.filter((t) => !got.includes(t));
          const extra = got.filter((t) => !want.includes(t));
          throw new Error(
            `${label}: wrong result in ${repo}: wrongly deleted [${missing.join(', ')}], not deleted [${extra.join(', ')}]`,
          );
        }
      }
      if (left !== tags - plan.deletions)
        throw new Error(`${label}: ${left} tags left, expected ${tags - plan.deletions}`);
    };
    const argv = (extra: string[]) => [
      process.execPath,
      cli.bin,
      'run',
      '--config',
      config,
      '--yes',
      '--log-level',
      'error',
      ...extra,
    ];
    const subject = 'resource-cleanup run (default concurrency)';
    const reference = 'resource-cleanup run --concurrency 1';
    return [
      runPair(
        'registry',
        `run --yes, ${plan.deletions} of ${tags} tags across ${repos} repositories`,
        { label: subject, argv: argv([]), env, cwd: work, before, after: after(subject) },
        {
          label: reference,
          argv: argv(['--concurrency', '1']),
          env,
          cwd: work,
          before,
          after: after(reference),
        },
        // default concurrency at least 5x faster than one request at a time
        { runs: options.quick ? 2 : 3, warmup: options.quick ? 0 : 1, maxRatio: 0.2 },
      ),
    ];
  } finally {
    registry.stop();
    process.off('exit', stopOnExit);
    rmSync(work, { recursive: true, force: true });
  }
}
