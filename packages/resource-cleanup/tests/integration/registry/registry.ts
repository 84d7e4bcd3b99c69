/**
 * A real OCI registry for the tests: Debian's `docker-registry` (the CNCF Distribution registry)
 * on 127.0.0.1 and a free port, deletes enabled, data in a temp dir; ready when it logs
 * "listening on" and answers /v2/. Images are pushed with raw API calls: a shared layer blob, a
 * config blob whose `created` the test chooses, and an OCI (or Docker v2) manifest under tags.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const REGISTRY_BIN = 'docker-registry';

/** True when the registry binary is on PATH; tests that need it are skipped (with this reason) otherwise. */
export const hasRegistry = spawnSync('sh', ['-c', `command -v ${REGISTRY_BIN}`]).status === 0;
/**
 * Skipped on a developer machine without docker-registry, never under CI (.ci/run sets CI and
 * installs it): there a missing registry fails the tests instead of passing them unrun.
 */
export const skipRegistry = !hasRegistry && !process.env.CI;
export const NO_REGISTRY =
  'docker-registry is not installed (apt-get install docker-registry; .ci/run installs it): registry tests skipped';

export async function freePort(): Promise<number> {
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

export interface TestRegistry {
  url: string;
  dir: string;
  stop(): Promise<void>;
}

export interface RegistryOptions {
  /** An htpasswd file's content (bcrypt): the registry then wants basic auth. */
  htpasswd?: string;
}

export async function startRegistry(options: RegistryOptions = {}): Promise<TestRegistry> {
  const dir = await mkdtemp(join(tmpdir(), 'rc-registry-'));
  const port = await freePort();
  const lines = [
    'version: 0.1',
    'log:',
    '  level: info',
    '  accesslog:',
    '    disabled: true',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${join(dir, 'data')}`,
    '  delete:',
    '    enabled: true',
    'http:',
    `  addr: 127.0.0.1:${port}`,
    '  secret: tempered-test-secret',
  ];
  if (options.htpasswd !== undefined) {
    await writeFile(join(dir, 'htpasswd'), options.htpasswd);
    lines.push('auth:', '  htpasswd:', '    realm: tempered-test', `    path: ${join(dir, 'htpasswd')}`);
  }
  await writeFile(join(dir, 'config.yml'), `${lines.join('\n')}\n`);
  const child = spawn(REGISTRY_BIN, ['serve', join(dir, 'config.yml')], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  await listening(child, `127.0.0.1:${port}`);
  const url = `http://127.0.0.1:${port}`;
  const probe = await fetch(`${url}/v2/`);
  if (probe.status !== 200 && probe.status !== 401)
    throw new Error(`registry at ${url} answered ${probe.status}`);
  return {
    url,
    dir,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Resolves on the registry's own "listening on <addr>" log line; rejects if it exits first. */
function listening(child: ChildProcess, address: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`docker-registry did not start within 15 s:\n${output}`));
    }, 15_000);
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk;
      if (output.includes(`listening on ${address}`)) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`docker-registry exited (${code}) before listening:\n${output}`));
    });
  });
}

const sha256 = (bytes: Buffer | string) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

export interface PushOptions {
  tags: string[];
  /** The image config's `created` (ISO 8601); left out when null. */
  created: string | null;
  /** Basic auth header value for a registry that wants it. */
  authorization?: string;
  format?: 'oci' | 'docker';
}

/** Pushes one image under every tag given; returns its manifest digest. */
export async function pushImage(url: string, repository: string, options: PushOptions): Promise<string> {
  const headers: Record<string, string> = options.authorization
    ? { authorization: options.authorization }
    : {};
  const blob = async (bytes: Buffer) => {
    const digest = sha256(bytes);
    const start = await fetch(`${url}/v2/${repository}/blobs/uploads/`, { method: 'POST', headers });
    if (start.status !== 202) throw new Error(`blob upload start -> ${start.status} ${await start.text()}`);
    const location = new URL(start.headers.get('location') ?? '', url);
    location.searchParams.set('digest', digest);
    const put = await fetch(location, {
      method: 'PUT',
      body: bytes,
      headers: { ...headers, 'content-type': 'application/octet-stream' },
    });
    if (put.status !== 201) throw new Error(`blob upload -> ${put.status} ${await put.text()}`);
    return { digest, size: bytes.length };
  };
  const layer = await blob(Buffer.from(`layer of ${repository}`));
  const config: Record<string, unknown> = {
    architecture: 'amd64',
    os: 'linux',
    rootfs: { type: 'layers', diff_ids: [layer.digest] },
    config: { Labels: { tags: options.tags.join(',') } },
  };
  if (options.created !== null) config.created = options.created;
  const configBlob = await blob(Buffer.from(JSON.stringify(config)));
  const oci = (options.format ?? 'oci') === 'oci';
  const manifestType = oci
    ? 'application/vnd.oci.image.manifest.v1+json'
    : 'application/vnd.docker.distribution.manifest.v2+json';
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: manifestType,
      config: {
        mediaType: oci
          ? 'application/vnd.oci.image.config.v1+json'
          : 'application/vnd.docker.container.image.v1+json',
        ...configBlob,
      },
      layers: [
        {
          mediaType: oci
            ? 'application/vnd.oci.image.layer.v1.tar+gzip'
            : 'application/vnd.docker.image.rootfs.diff.tar.gzip',
          ...layer,
        },
      ],
    }),
  );
  for (const tag of options.tags) {
    const put = await fetch(`${url}/v2/${repository}/manifests/${tag}`, {
      method: 'PUT',
      body: manifest,
      headers: { ...headers, 'content-type': manifestType },
    });
    if (put.status !== 201)
      throw new Error(`manifest ${repository}:${tag} -> ${put.status} ${await put.text()}`);
  }
  return sha256(manifest);
}

/** The repository's tags, sorted; [] when it has none or is unknown. */
export async function tagsOf(url: string, repository: string, authorization?: string): Promise<string[]> {
  const response = await fetch(`${url}/v2/${repository}/tags/list`, {
    headers: authorization ? { authorization } : {},
  });
  if (response.status === 404) return [];
  const body = (await response.json()) as { tags?: string[] | null };
  return [...(body.tags ?? [])].sort();
}

/** What a pull of `repository:reference` gets: the status of GET manifest. */
export async function pullStatus(url: string, repository: string, reference: string): Promise<number> {
  const response = await fetch(`${url}/v2/${repository}/manifests/${reference}`, {
    headers: {
      accept:
        'application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json',
    },
  });
  await response.arrayBuffer();
  return response.status;
}

export const DAY = 86_400_000;

/** An ISO time `days` days before now. */
export function daysAgo(days: number): string {
  return new Date(Date.now() - days * DAY).toISOString();
}

/** PUTs a manifest (any JSON: an index, a referrer) under a tag; returns its digest and size. */
export async function pushManifest(
  url: string,
  repository: string,
  tag: string,
  manifest: Record<string, unknown>,
): Promise<{ digest: string; size: number; mediaType: string }> {
  const mediaType = String(manifest.mediaType);
  const bytes = Buffer.from(JSON.stringify(manifest));
  const put = await fetch(`${url}/v2/${repository}/manifests/${tag}`, {
    method: 'PUT',
    body: bytes,
    headers: { 'content-type': mediaType },
  });
  if (put.status !== 201)
    throw new Error(`manifest ${repository}:${tag} -> ${put.status} ${await put.text()}`);
  return { digest: sha256(bytes), size: bytes.length, mediaType };
}

/** The manifest of `repository@reference` as stored, parsed. */
export async function getManifest(
  url: string,
  repository: string,
  reference: string,
): Promise<Record<string, unknown>> {
  const response = await fetch(`${url}/v2/${repository}/manifests/${reference}`, {
    headers: {
      accept: 'application/vnd.oci.image.manifest.v1+json, application/vnd.oci.image.index.v1+json',
    },
  });
  if (response.status !== 200)
    throw new Error(`GET manifest ${repository}@${reference} -> ${response.status}`);
  return (await response.json()) as Record<string, unknown>;
}
