import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { builtClis } from '../paths.js';
import { type PairResult, runPair } from '../runPair.js';

const NODE = process.execPath;

/** `<cli> --help` and a no-op dry-run of each built CLI against bare `node -e 0`. Budget: 2.0x. */
export function startupSuite(options: { quick: boolean }): PairResult[] {
  const runs = options.quick ? 3 : 15;
  const warmup = options.quick ? 1 : 3;
  const home = mkdtempSync(join(tmpdir(), 'tempered-bench-home-'));
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, XDG_STATE_HOME: join(home, 'state') };
  const reference = { label: 'node -e 0', argv: [NODE, '-e', '0'], env };
  const results: PairResult[] = [];
  for (const cli of builtClis()) {
    results.push(
      runPair(
        'startup',
        `${cli.name} --help`,
        { label: `${cli.name} --help`, argv: [NODE, cli.bin, '--help'], env },
        reference,
        {
          runs,
          warmup,
          maxRatio: 2,
        },
      ),
    );
    const dryRun = dryRunArgv(cli.name, home);
    if (dryRun) {
      results.push(
        runPair(
          'startup',
          `${cli.name} no-op dry-run`,
          { label: `${cli.name} dry-run`, argv: [NODE, cli.bin, ...dryRun], env, cwd: home },
          reference,
          {
            runs,
            warmup,
            maxRatio: 2,
          },
        ),
      );
    }
  }
  return results;
}

function dryRunArgv(cli: string, home: string): string[] | undefined {
  switch (cli) {
    case 'tempered-demo':
      return ['apply', join(home, 'demo-out'), '--dry-run'];
    case 'file-sync': {
      const src = mkdtempSync(join(home, 'src-'));
      return ['sync', src, join(home, 'dst'), '--dry-run', '--allow-empty-source'];
    }
    default:
      return undefined;
  }
}
