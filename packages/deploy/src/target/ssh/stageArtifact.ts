import { rmSync } from 'node:fs';
import { mkdtemp, readdir, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ArtifactInfo, sha256File, type UnpackOptions, unpackArtifact } from '../../artifact/index.js';

/** A release as it goes over the wire: one plain tar of the checked tree. */
export interface StagedRelease {
  file: string;
  /** Names the upload on every host: a host that has it is not sent it again. */
  key: string;
  sha256: string;
  bytes: number;
}

const staged = new Map<string, Promise<StagedRelease>>();
const dirs: string[] = [];

/**
 * Unpacks the artifact on this machine first, with every safety rule of a local deploy (paths,
 * links, special bits, limits), and packs what passed into a tar that the hosts only extract:
 * a host never parses an untrusted archive. Made once per run for all hosts.
 */
export function stageArtifact(artifact: ArtifactInfo, options: UnpackOptions): Promise<StagedRelease> {
  const key = `${artifact.digest.replace(/^sha256:/, '')}${options.keepSpecialBits ? '-s' : ''}`;
  let entry = staged.get(key);
  if (!entry) {
    entry = stage(artifact, options, key);
    staged.set(key, entry);
    // a failed staging is tried again by the next host, not remembered
    entry.catch(() => staged.delete(key));
  }
  return entry;
}

async function stage(artifact: ArtifactInfo, options: UnpackOptions, key: string): Promise<StagedRelease> {
  if (dirs.length === 0) {
    process.once('exit', () => {
      for (const d of dirs) rmSync(d, { recursive: true, force: true });
    });
  }
  const dir = await mkdtemp(join(tmpdir(), 'tempered-stage-'));
  dirs.push(dir);
  const tree = join(dir, 'release');
  await unpackArtifact(artifact, tree, options);
  const file = join(dir, `${key}.tar`);
  const { create } = await import('tar');
  // portable: no owner names or ids; the host's user owns what it extracts
  await create({ cwd: tree, file, portable: true }, await readdir(tree));
  return { file, key, sha256: await sha256File(file), bytes: (await stat(file)).size };
}
