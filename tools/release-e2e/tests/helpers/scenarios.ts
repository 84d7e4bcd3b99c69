/**
 * One dry-run and one real run of each product CLI on its embedded defaults (no config beyond
 * what names the job: a target path, a rule). A CLI without a scenario here still gets
 * `--version`, `--help` and `stats` from the suite; add one when a CLI lands.
 */
import { existsSync, readlinkSync } from 'node:fs';
import { mkdir, readFile, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { CronResult } from './cron.js';

export interface Scenario {
  /** Makes the inputs under `dir`; returns the arguments of the dry-run and of the real run. */
  prepare(dir: string): Promise<{ dryRun: string[]; real: string[] }>;
  /** After the dry-run: the plan was printed and nothing changed. */
  afterDryRun(dir: string, result: CronResult): Promise<void>;
  /** After the real run: the change is there. */
  afterRealRun(dir: string, result: CronResult): Promise<void>;
}

const DAY = 24 * 60 * 60;

export const SCENARIOS: Record<string, Scenario> = {
  'file-sync': {
    async prepare(dir) {
      await mkdir(join(dir, 'src', 'docs'), { recursive: true });
      await writeFile(join(dir, 'src', 'index.html'), '<h1>hello</h1>\n');
      await writeFile(join(dir, 'src', 'docs', 'guide.md'), '# guide\n');
      const args = ['sync', join(dir, 'src'), join(dir, 'dst')];
      return { dryRun: [...args, '--dry-run'], real: args };
    },
    async afterDryRun(dir, result) {
      expect(result.stdout).toContain('+ index.html');
      expect(result.stdout).toContain('+ docs/guide.md');
      expect(existsSync(join(dir, 'dst'))).toBe(false);
    },
    async afterRealRun(dir, result) {
      expect(result.stdout).toMatch(/^Synced: \d+ created/m);
      expect(await readFile(join(dir, 'dst', 'docs', 'guide.md'), 'utf8')).toBe('# guide\n');
    },
  },

  deploy: {
    async prepare(dir) {
      await mkdir(join(dir, 'build'), { recursive: true });
      await writeFile(join(dir, 'build', 'index.html'), '<h1>v1</h1>\n');
      // the one key deploy cannot default: where releases go
      const config = join(dir, 'deploy.yml');
      await writeFile(config, `deploy:\n  target: { path: ${JSON.stringify(join(dir, 'target'))} }\n`);
      const args = ['release', join(dir, 'build'), '--config', config, '--version', '1.0.0'];
      return { dryRun: [...args, '--dry-run'], real: args };
    },
    async afterDryRun(dir) {
      expect(existsSync(join(dir, 'target', 'current'))).toBe(false);
    },
    async afterRealRun(dir) {
      expect(readlinkSync(join(dir, 'target', 'current'))).toContain('1.0.0');
      expect(await readFile(join(dir, 'target', 'current', 'index.html'), 'utf8')).toBe('<h1>v1</h1>\n');
    },
  },

  'resource-cleanup': {
    async prepare(dir) {
      const junk = join(dir, 'junk');
      await mkdir(junk, { recursive: true });
      for (const name of ['old-1.log', 'old-2.log', 'fresh.log', 'keep.txt']) {
        await writeFile(join(junk, name), `${name}\n`);
      }
      const monthAgo = Date.now() / 1000 - 30 * DAY;
      await utimes(join(junk, 'old-1.log'), monthAgo, monthAgo);
      await utimes(join(junk, 'old-2.log'), monthAgo, monthAgo);
      const config = join(dir, 'cleanup.yml');
      await writeFile(
        config,
        [
          'resource-cleanup:',
          '  rules:',
          '    - name: old-logs',
          `      path: ${JSON.stringify(junk)}`,
          '      match: ["*.log"]',
          '      olderThan: 7d',
          '',
        ].join('\n'),
      );
      return { dryRun: ['plan', '--config', config], real: ['run', '--config', config, '--yes'] };
    },
    async afterDryRun(dir, result) {
      expect(result.stdout).toContain('old-1.log');
      expect(existsSync(join(dir, 'junk', 'old-1.log'))).toBe(true);
    },
    async afterRealRun(dir) {
      expect(existsSync(join(dir, 'junk', 'old-1.log'))).toBe(false);
      expect(existsSync(join(dir, 'junk', 'old-2.log'))).toBe(false);
      expect(existsSync(join(dir, 'junk', 'fresh.log'))).toBe(true);
      expect(existsSync(join(dir, 'junk', 'keep.txt'))).toBe(true);
    },
  },
};
