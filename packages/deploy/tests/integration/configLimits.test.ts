/**
 * Issue 14, item 10, through the built CLI: a config that is too big, too deep or expands too
 * far is refused with exit 2 and one line naming the file and the limit, never the parser's
 * "Maximum call stack size exceeded" (deep JSON used to exit 1 with it).
 */
import { describe, expect, it } from 'vitest';
import { errorLine, targetOf, workspace } from './helpers.js';

/** Valid YAML for `deploy status` on a target in `dir`, then `rest`: only the limits can refuse it. */
function validConfig(dir: string, rest: string): string {
  return `deploy:\n  target: { path: ${JSON.stringify(dir)} }\n${rest}`;
}

type Make = (path: string, target: string) => Promise<void> | string;

const CASES: [string, string, Make, string][] = [
  [
    'a 50 MB file (a valid config and a 50 MB comment)',
    'big.yml',
    (_path, target) => validConfig(target, `# ${'x'.repeat(50 * 1024 * 1024)}\n`),
    'config file is larger than the 1 MiB limit',
  ],
  [
    'deep JSON',
    'deep.json',
    () => `{"deploy": ${'['.repeat(200_000)}${']'.repeat(200_000)}}`,
    'nested deeper than the limit of 64 levels',
  ],
  [
    'deep YAML',
    'deep.yml',
    () => `deploy: ${'['.repeat(50_000)}${']'.repeat(50_000)}\n`,
    'nested deeper than the limit of 64 levels',
  ],
  [
    'YAML aliases expanding to tens of MB (a valid config: hooks)',
    'aliases.yml',
    (_path, target) => {
      // 10 anchors of 90 KB, each used 9 times: 90 uses, under yaml's own per-anchor cap
      let hooks = '';
      for (let i = 0; i < 10; i++) hooks += `      - &a${i} "echo ${'x'.repeat(90_000)}"\n`;
      for (let i = 0; i < 10; i++) for (let j = 0; j < 9; j++) hooks += `      - *a${i}\n`;
      return validConfig(target, `  hooks:\n    beforeSwitch:\n${hooks}`);
    },
    'expands to more than the limit of 100000 values or 4 MiB of text (YAML aliases)',
  ],
];

describe('config file limits', () => {
  for (const [what, name, make, limit] of CASES) {
    it(`refuses ${what}: exit 2, one line naming the file and the limit`, async () => {
      const ws = await workspace();
      const file = await ws.writeFile(name, '');
      const text = await make(file, targetOf(ws));
      if (typeof text === 'string') await ws.writeFile(name, text);

      const started = performance.now();
      const result = await ws.run(['status', '--config', file]);

      expect(result.code, result.stderr).toBe(2);
      expect(result.stderr).not.toMatch(/call stack/i);
      expect(result.stderr.trim().split('\n'), result.stderr).toHaveLength(1);
      expect(errorLine(result)?.msg).toMatch(
        new RegExp(`${file}(:\\d+)?: ${limit.replace(/[()]/g, '\\$&')}`),
      );
      expect(performance.now() - started).toBeLessThan(10_000);
    });
  }
});
