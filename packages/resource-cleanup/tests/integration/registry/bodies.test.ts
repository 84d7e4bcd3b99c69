import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { closeWhenTestFinishes } from '@tempered/testkit';
import { describe, expect, it } from 'vitest';
import { workspace } from '../helpers.js';
import { registryConfig } from './common.js';

const MiB = 1024 * 1024;
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';

interface Hostile {
  url: string;
  /** Bytes of the endless body the server got written into the connection before it closed. */
  sent(): number;
}

/**
 * A registry that answers one path with an endless body, streamed with backpressure until the
 * client hangs up (or `totalBytes` is out), and counts what it got out: a client that reads
 * whole bodies takes it all, a capped one hangs up near its cap.
 */
async function hostileRegistry(
  route: (
    req: IncomingMessage,
    res: ServerResponse,
    flood: (res: ServerResponse, head: string) => void,
  ) => boolean,
  totalBytes: number,
): Promise<Hostile> {
  let sent = 0;
  const flood = (res: ServerResponse, head: string) => {
    const chunk = Buffer.from(`"${'x'.repeat(64 * 1024 - 4)}",`);
    let closed = false;
    res.on('close', () => {
      closed = true;
    });
    const pump = () => {
      while (!closed && sent < totalBytes) {
        sent += chunk.length;
        if (!res.write(chunk)) return void res.once('drain', pump);
      }
      if (!closed) res.end('"end"]}');
    };
    res.write(head);
    pump();
  };
  const server = createServer((req, res) => {
    if (req.url === '/v2/') return void res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    if (!route(req, res, flood)) res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closeWhenTestFinishes(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, sent: () => sent };
}

describe('registry bodies are capped (issue 14, item 8)', () => {
  it('a tag list page that never ends is cut at maxPageBytes (default 8 MiB): exit 1, one line, the rest never read', async () => {
    // Prepare: 256 MiB of tag list, sent without Content-Length (chunked)
    const hostile = await hostileRegistry((req, res, flood) => {
      if (!req.url?.startsWith('/v2/b1/x/tags/list')) return false;
      res.writeHead(200, { 'content-type': 'application/json' });
      flood(res, '{"name":"b1/x","tags":[');
      return true;
    }, 256 * MiB);
    const ws = await workspace();
    const config = await registryConfig(ws, { url: hostile.url, repositories: ['b1/x'] });

    // Act
    const plan = await ws.run(['plan', '--config', config]);

    // Assess: refused near the cap (what the sockets buffered aside), not after 256 MiB
    expect(hostile.sent()).toBeLessThan(32 * MiB);
    expect(plan.code).toBe(1);
    expect(plan.stderr).toContain('the tag list page of b1/x (maxPageBytes) is larger than 8 MiB; refused');
    expect(plan.stderr).not.toMatch(/\n\s+at /);
  });

  it('a manifest over maxManifestBytes is refused: by its Content-Length before reading, or at the cap without one', async () => {
    // Prepare: tag `big` resolves; its manifest is 6 MiB, announced (`/declared/`) or chunked
    const digest = `sha256:${createHash('sha256').update('big').digest('hex')}`;
    let manifestBodies = 0;
    const hostile = await hostileRegistry((req, res, flood) => {
      const repo = /^\/v2\/(b2\/\w+)\//.exec(req.url ?? '')?.[1];
      if (!repo) return false;
      if (req.url?.startsWith(`/v2/${repo}/tags/list`)) {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ tags: ['big'] }));
      } else if (req.method === 'HEAD') {
        res.writeHead(200, { 'docker-content-digest': digest, 'content-type': OCI_MANIFEST }).end();
      } else {
        manifestBodies++;
        const declared = repo === 'b2/declared' ? { 'content-length': String(6 * MiB) } : {};
        res.writeHead(200, { 'content-type': OCI_MANIFEST, ...declared });
        if (repo === 'b2/declared') res.end(Buffer.alloc(6 * MiB, 0x20));
        else flood(res, '{"schemaVersion":2,"layers":[');
      }
      return true;
    }, 6 * MiB);
    const ws = await workspace();

    for (const repository of ['b2/declared', 'b2/chunked']) {
      // Act
      const config = await registryConfig(ws, { url: hostile.url, repositories: [repository] });
      const plan = await ws.run(['plan', '--config', config]);

      // Assess
      expect(plan.code, plan.stderr).toBe(1);
      expect(plan.stderr).toContain(
        `manifest ${repository}@${digest} (maxManifestBytes) is larger than 4 MiB; refused`,
      );
      expect(plan.stderr).not.toMatch(/\n\s+at /);
    }
    // a refusal is final: the same answer is not asked for again
    expect(manifestBodies).toBe(2);
  });

  it('maxPageBytes comes from the rule, in bytes or with a unit (1MiB)', async () => {
    // Prepare: an ordinary 1.5 MiB tag list page, under the default and over a rule's 1MiB
    const hostile = await hostileRegistry((req, res, flood) => {
      if (!req.url?.startsWith('/v2/b3/x/tags/list')) return false;
      res.writeHead(200, { 'content-type': 'application/json' });
      flood(res, '{"name":"b3/x","tags":[');
      return true;
    }, 1.5 * MiB);
    const ws = await workspace();
    const config = await registryConfig(ws, {
      url: hostile.url,
      repositories: ['b3/x'],
      maxPageBytes: '1MiB',
    });

    // Act
    const plan = await ws.run(['plan', '--config', config]);

    // Assess
    expect(plan.code).toBe(1);
    expect(plan.stderr).toContain('the tag list page of b3/x (maxPageBytes) is larger than 1 MiB; refused');
  });
});
