import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { builtClis, type CliUnderTest } from '../paths.js';
import { type PairResult, runPair } from '../runPair.js';

const NODE = process.execPath;
/** Issue 15: within 1.5x of bare Node, measured interleaved in one run. */
const START_UP_BUDGET = 1.5;

/** `<cli> --help` and a no-op dry-run of each built CLI against bare `node -e 0` on the same Node. Budget: 1.5x. */
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
          maxRatio: START_UP_BUDGET,
        },
      ),
    );
    const dryRun = dryRunArgv(cli, home, env);
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
            maxRatio: START_UP_BUDGET,
          },
        ),
      );
    }
  }
  return results;
}

/**
 * A dry-run that finds nothing to do, as cron runs it most days: a synced tree, the release
 * already deployed, nothing old enough to clean up. Set-up runs here, untimed.
 */
function dryRunArgv(cli: CliUnderTest, home: string, env: NodeJS.ProcessEnv): string[] | undefined {
  switch (cli.name) {
    case 'tempered-demo':
      return ['apply', join(home, 'demo-out'), '--dry-run'];
    case 'file-sync': {
      const src = mkdtempSync(join(home, 'src-'));
      return ['sync', src, join(home, 'dst'), '--dry-run', '--allow-empty-source'];
    }
    case 'deploy': {
      const app = join(home, 'app');
      mkdirSync(app, { recursive: true });
      writeFileSync(join(app, 'index.html'), 'hello\n');
      const config = join(home, 'deploy.yml');
      writeFileSync(
        config,
        `deploy:\n  target: { path: "${join(home, 'deploy-target')}" }\n  keepReleases: 3\n`,
      );
      const argv = ['release', app, '--version', '1.0.0', '--config', config];
      setUp(cli, argv, home, env);
      return [...argv, '--dry-run'];
    }
    case 'resource-cleanup': {
      const builds = join(home, 'builds');
      mkdirSync(builds, { recursive: true });
      for (let i = 0; i < 20; i++) {
        const file = join(builds, `app-${i}.tar.gz`);
        writeFileSync(file, 'x');
        const recent = Date.now() / 1000 - i * 3600;
        utimesSync(file, recent, recent);
      }
      const config = join(home, 'cleanup.yml');
      writeFileSync(
        config,
        `resource-cleanup:\n  rules:\n    - name: builds\n      provider: fs\n      path: "${builds}"\n      match: ["*.tar.gz"]\n      olderThan: 14d\n`,
      );
      return ['run', '--config', config, '--dry-run'];
    }
    default:
      return undefined;
  }
}

function setUp(cli: CliUnderTest, argv: string[], cwd: string, env: NodeJS.ProcessEnv): void {
  const result = spawnSync(process.execPath, [cli.bin, ...argv], { cwd, env, encoding: 'utf8' });
  if (result.status !== 0) {
    throw new Error(
      `set-up of ${cli.name} ${argv.join(' ')} failed (exit ${result.status}): ${result.stderr.slice(-500)}`,
    );
  }
}
