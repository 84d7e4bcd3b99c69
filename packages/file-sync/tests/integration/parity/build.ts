/**
 * Materialises tree steps on disk: names as raw bytes, hard links, modes (setuid, setgid, sticky
 * included) and nanosecond, pre-1970 and far-future mtimes on files, directories and symlinks.
 */
import { execFile } from 'node:child_process';
import { chmod, lchown, link, lstat, mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { bytesOf, depthOf, type Key, type Step, type Tree } from './generate.js';

const run = promisify(execFile);

export interface Owner {
  uid: number;
  gid: number;
}

export const pathOf = (root: string, key: Key): Buffer =>
  key === '' ? Buffer.from(root) : Buffer.concat([Buffer.from(`${root}/`), bytesOf(key)]);

/** Creates, replaces and removes what `steps` say (run as root: read-only directories do not stop it). */
export async function applySteps(root: string, steps: readonly Step[]): Promise<void> {
  const groups = new Map<number, Buffer>();
  for (const step of steps) {
    if ('remove' in step) {
      await rm(pathOf(root, step.remove), { recursive: true, force: true });
      continue;
    }
    const full = pathOf(root, step.put);
    const { entry } = step;
    const existing = await lstat(full).catch(() => undefined);
    if (existing?.isDirectory() && entry.type === 'dir') continue;
    if (existing) await rm(full, { recursive: true, force: true });
    if (entry.type === 'dir') await mkdir(full);
    else if (entry.type === 'symlink') await symlink(entry.target, full);
    else {
      const first = entry.linkGroup === undefined ? undefined : groups.get(entry.linkGroup);
      if (first) await link(first, full);
      else {
        await writeFile(full, entry.content);
        if (entry.linkGroup !== undefined) groups.set(entry.linkGroup, full);
      }
    }
  }
}

/**
 * Gives every entry of the model its owner, mode and mtime. Owner first: chown clears setuid and
 * setgid, even as root. Mtimes last and through `touch -h`: Node's utimes takes a double of
 * seconds (no exact nanoseconds, and a negative time becomes "now"), and cannot set a symlink's.
 */
export async function finish(root: string, tree: Tree, scriptPath: string, owner?: Owner): Promise<void> {
  for (const [key, entry] of tree) {
    const full = pathOf(root, key);
    if (owner) {
      const stats = await lstat(full);
      if (stats.uid !== owner.uid || stats.gid !== owner.gid) await lchown(full, owner.uid, owner.gid);
    }
    if (entry.type !== 'symlink') await chmod(full, entry.mode);
  }
  // a shell script, because an argv string cannot carry a name that is not UTF-8; printf's octal
  // escapes can, and the trailing X survives the command substitution's newline stripping
  const lines = ['set -e'];
  const deepestFirst = [...tree].sort(([a], [b]) => depthOf(b) - depthOf(a));
  for (const [key, entry] of deepestFirst) {
    const octal = [...pathOf(root, key)].map((byte) => `\\${byte.toString(8).padStart(3, '0')}`).join('');
    lines.push(`p=$(printf '${octal}X')`, `touch -h -d '@${decimalSeconds(entry.mtimeNs)}' -- "\${p%X}"`);
  }
  await writeFile(scriptPath, `${lines.join('\n')}\n`);
  await run('sh', [scriptPath], { env: { PATH: '/usr/bin:/bin', TZ: 'UTC', LC_ALL: 'C' } });
}

/** `-31536000.5` style: GNU touch reads `@` seconds as a signed decimal. */
export function decimalSeconds(ns: bigint): string {
  const sign = ns < 0n ? '-' : '';
  const abs = ns < 0n ? -ns : ns;
  return `${sign}${abs / 1_000_000_000n}.${(abs % 1_000_000_000n).toString().padStart(9, '0')}`;
}
