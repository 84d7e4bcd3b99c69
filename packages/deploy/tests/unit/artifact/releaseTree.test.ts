import { describe, expect, it } from 'vitest';
import { type ArtifactEntry, checkEntry, EntryChecker } from '../../../src/artifact/checkEntry.js';

const file = (path: string): ArtifactEntry => ({ path, kind: 'file' });
const dir = (path: string): ArtifactEntry => ({ path, kind: 'directory' });
const symlink = (path: string, linkpath: string): ArtifactEntry => ({ path, kind: 'symlink', linkpath });
const hardlink = (path: string, linkpath: string): ArtifactEntry => ({ path, kind: 'hardlink', linkpath });

/** Every entry through one checker, then the link resolution: the first refusal, if any. */
async function verdict(entries: ArtifactEntry[]): Promise<string | undefined> {
  const checker = new EntryChecker();
  for (const entry of entries) {
    const problem = checker.check(entry);
    if (problem !== undefined) return `${entry.path} ${problem}`;
  }
  const leak = await checker.finish();
  return leak && `${leak.member} ${leak.problem}`;
}

describe('Class: EntryChecker', () => {
  describe('Method: finish (symlinks resolved through the other links of the release)', () => {
    it('refuses a chain of links that each stay inside but together lead out', async () => {
      const chain = [symlink('x/y/b', '../..'), symlink('x/y/a', 'b/..')];
      // each alone passes the lexical check: that is the hole
      for (const link of chain) expect(checkEntry(link)).toBeUndefined();

      expect(await verdict(chain)).toMatch(/^x\/y\/a is a symlink whose chain of links leads outside/);
      // the order of the members does not matter: the finished tree is resolved
      expect(await verdict([...chain].reverse())).toMatch(/^x\/y\/a .*leads outside/);
    });

    it('refuses a hard link to an inside symlink that, from its own directory, leads out', async () => {
      expect(await verdict([symlink('x/y/b', '../..'), hardlink('c', 'x/y/b')])).toMatch(
        /^c is a symlink whose chain of links leads outside the release \(\.\.\/\.\.\)/,
      );
    });

    it('resolves ".." after a link from where the link points, not lexically', async () => {
      // up -> lib/x/../.. is the root while lib/x is a directory, and outside once lib/x -> .
      const entries = [dir('lib/'), dir('lib/x/'), symlink('up', 'lib/x/../..')];
      expect(await verdict(entries)).toBeUndefined();
      expect(await verdict([...entries, symlink('lib/x', '.')])).toMatch(/^up .*leads outside/);
    });

    it('refuses a loop, and a chain longer than the kernel follows (40 links)', async () => {
      expect(await verdict([symlink('a', 'b'), symlink('b', 'a')])).toMatch(/^(a|b) .*does not resolve/);
      const chain = (length: number) => [
        file('end'),
        ...Array.from({ length }, (_, i) => symlink(`l${i}`, i === length - 1 ? 'end' : `l${i + 1}`)),
      ];
      expect(await verdict(chain(40))).toBeUndefined();
      expect(await verdict(chain(41))).toMatch(/does not resolve: a loop, or more than 40 links/);
    });

    it('counts the links followed inside a link target too', async () => {
      // d -> c/c/c/c/c: five components, each a 9-link chain: 1 + 5 * 9 = 46 hops
      const nine = Array.from({ length: 9 }, (_, i) => symlink(`c${i}`, i === 8 ? '.' : `c${i + 1}`));
      const entries = [...nine, symlink('c', 'c0'), symlink('d', 'c/c/c/c/c')];
      expect(await verdict(entries)).toMatch(/^d .*does not resolve/);
      expect(await verdict([...nine, symlink('c', 'c0'), symlink('d', 'c/c/c')])).toBeUndefined();
    });

    it('accepts chains that stay inside, dangling links and links into names not shipped', async () => {
      const entries = [
        dir('v1/bin/'),
        file('v1/bin/app'),
        symlink('current', 'v1'),
        symlink('app', 'current/bin/app'),
        symlink('lib/self', '../lib/../lib/self-target'),
        symlink('logs-link', 'logs/app.log'),
        symlink('v1/bin/root', '../../current/..'),
        hardlink('app2', 'app'),
      ];
      expect(await verdict(entries)).toBeUndefined();
    });

    it('refuses a member that replaces a directory holding other members', async () => {
      expect(await verdict([file('d/inner'), symlink('d', 'elsewhere')])).toMatch(
        /^d replaces the directory "d", which holds other members/,
      );
      // an empty directory is simply replaced, as extraction does
      expect(await verdict([dir('d/'), symlink('d', 'elsewhere')])).toBeUndefined();
    });

    it('refuses members below a file, hard links through a symlink and to members not yet made', async () => {
      expect(await verdict([file('f'), file('f/g')])).toMatch(/lies below "f", which is a file/);
      expect(await verdict([dir('d/'), symlink('s', 'd'), hardlink('h', 's/x')])).toMatch(
        /hard link through the symlink "s"/,
      );
      expect(await verdict([hardlink('h', 'later'), file('later')])).toMatch(/no earlier member created/);
      expect(await verdict([dir('d/'), hardlink('h', 'd')])).toMatch(/hard link to the directory/);
    });

    it('refuses a link text longer than a symlink holds', async () => {
      expect(await verdict([symlink('long', 'a/'.repeat(2048))])).toMatch(/4096 bytes, over the 4095/);
    });

    it('resolves each link once: many links through one long chain take no time', async () => {
      // a 39-link chain whose texts are 1,000 components long, and 20,000 links into it: walking
      // the chain again for each of them would be 780 million steps
      const padding = './'.repeat(1_000);
      const chain = Array.from({ length: 39 }, (_, i) =>
        symlink(`c${i}`, `${padding}${i === 38 ? 'end' : `c${i + 1}`}`),
      );
      const links = Array.from({ length: 20_000 }, (_, i) => symlink(`l/${i}`, '../c0'));
      const started = performance.now();
      expect(await verdict([file('end'), ...chain, ...links])).toBeUndefined();
      expect(performance.now() - started).toBeLessThan(5_000);
    });
  });
});
