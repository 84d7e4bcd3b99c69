/**
 * Every published package is wired for the release path, whichever CLIs exist: a new CLI that
 * lands without its manifest, command reference or publish guard fails here, naming the fix,
 * before the end-to-end suite would fail on it less clearly.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { NODE_FLOOR } from '@tempered/core/launch';
import { cliPackages, findWorkspaceRoot, publicPackages } from '@tempered/registry';
import { describe, expect, it } from 'vitest';

const ROOT = findWorkspaceRoot(fileURLToPath(import.meta.url));
const GUARD = 'node ../../tools/registry/bin/check-publish-registry.js';

interface Manifest {
  scripts?: Record<string, string>;
  files?: string[];
  publishConfig?: Record<string, string>;
  engines?: Record<string, string>;
}

// NODE_FLOOR as npm spells a range: what `npm i -g` warns about is what the launcher refuses
const ENGINES = `>=${NODE_FLOOR.replace(/\.0$/, '')}`;

const PUBLIC = await publicPackages(ROOT);

describe.each(PUBLIC.map((p) => [p.name, p] as const))('%s', (_name, pkg) => {
  const manifest = pkg.manifest as Manifest;

  it('runs the publish guard before any publish, and ships its changelog', () => {
    expect(
      manifest.scripts?.prepublishOnly,
      `set "prepublishOnly": "${GUARD}" in ${pkg.path}/package.json`,
    ).toBe(GUARD);
    expect(manifest.publishConfig?.access).toBe('restricted');
    expect(manifest.files, `add "CHANGELOG.md" to "files" in ${pkg.path}/package.json`).toContain(
      'CHANGELOG.md',
    );
  });

  it('declares the Node.js floor the launcher enforces', () => {
    expect(manifest.engines?.node, `set "engines": {"node": "${ENGINES}"} in ${pkg.path}/package.json`).toBe(
      ENGINES,
    );
  });
});

const CLIS = await cliPackages(ROOT);
const PLUGINS = ['@oclif/plugin-help', '@oclif/plugin-not-found', '@oclif/plugin-autocomplete'];

describe.each(CLIS.map((p) => [p.bin!, p] as const))('the %s CLI', (_bin, pkg) => {
  const manifest = pkg.manifest as Manifest;

  it('builds its oclif manifest and command reference, and ships both', () => {
    const build = manifest.scripts?.build ?? '';
    const fix = `in ${pkg.path}/package.json: "build": "tsc -b && export OCLIF_SKIP_NEW_VERSION_CHECK=true && oclif manifest && oclif readme --readme-path COMMANDS.md"`;
    expect(build, fix).toContain('oclif manifest');
    expect(build, fix).toContain('oclif readme --readme-path COMMANDS.md');
    expect(
      manifest.files,
      `add "oclif.manifest.json" and "COMMANDS.md" to "files" in ${pkg.path}/package.json`,
    ).toEqual(expect.arrayContaining(['oclif.manifest.json', 'COMMANDS.md']));
    const reference = join(pkg.dir, 'COMMANDS.md');
    expect(existsSync(reference), `${pkg.path}/COMMANDS.md is missing: copy another CLI's and build`).toBe(
      true,
    );
    expect(readFileSync(reference, 'utf8')).toContain('<!-- commands -->');
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    expect(readme, `link ${pkg.path}/COMMANDS.md from the README's "Command reference"`).toContain(
      `](${pkg.path}/COMMANDS.md)`,
    );
  });

  it('loads the oclif plugins operators expect: help <command>, did-you-mean, shell completion', () => {
    const oclif = (pkg.manifest as { oclif?: { plugins?: string[] } }).oclif;
    const dependencies = (pkg.manifest as { dependencies?: Record<string, string> }).dependencies ?? {};
    for (const plugin of PLUGINS) {
      expect(oclif?.plugins, `add "${plugin}" to "oclif": {"plugins"} in ${pkg.path}/package.json`).toContain(
        plugin,
      );
      // loaded by name from node_modules at run time, not from the bundle
      expect(dependencies[plugin], `add ${plugin} to the dependencies of ${pkg.path}`).toBeDefined();
    }
  });
});

describe('the workspace', () => {
  it('keeps the generated manifest out of git and in turbo’s build outputs', () => {
    expect(readFileSync(join(ROOT, '.gitignore'), 'utf8').split('\n')).toContain('oclif.manifest.json');
    const turbo = JSON.parse(readFileSync(join(ROOT, 'turbo.json'), 'utf8')) as {
      tasks: { build: { outputs: string[] } };
    };
    expect(turbo.tasks.build.outputs).toEqual(expect.arrayContaining(['oclif.manifest.json', 'COMMANDS.md']));
  });

  it('lists in the README every TEMPERED_* variable a published package reads', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const read = new Set<string>();
    const walk = (dir: string): void => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) walk(path);
        else if (entry.name.endsWith('.ts'))
          for (const name of readFileSync(path, 'utf8').match(/\bTEMPERED_[A-Z][A-Z_]*[A-Z]\b/g) ?? [])
            read.add(name);
      }
    };
    for (const pkg of PUBLIC) walk(join(pkg.dir, 'src'));
    expect(read.size).toBeGreaterThan(5);
    const missing = [...read].filter((name) => !readme.includes(`\`${name}\``));
    expect(missing, 'add these to the README\'s "Environment variables" table').toEqual([]);
  });

  it('docs/security.md names, for each rule, test files that exist', () => {
    const doc = readFileSync(join(ROOT, 'docs', 'security.md'), 'utf8');
    const named = [...doc.matchAll(/`((?:packages|tools)\/[\w./-]+\.test\.ts)`/g)].map((m) => m[1] as string);
    expect(named.length).toBeGreaterThan(15);
    expect(named.filter((path) => !existsSync(join(ROOT, path)))).toEqual([]);
  });

  it('publishes through the guard, then changesets', () => {
    const root = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as Manifest;
    expect(root.scripts?.['publish-packages']).toBe(
      'node tools/registry/bin/check-publish-registry.js && changeset publish',
    );
    expect(root.scripts?.release).toBe('turbo run build && pnpm publish-packages');
  });
});

describe('examples/cron', () => {
  const dir = join(ROOT, 'examples', 'cron');
  const bins = new Set(CLIS.map((cli) => cli.bin));
  const jobs = readFileSync(join(dir, 'crontab'), 'utf8')
    .split('\n')
    .filter((line) => /^[0-9*]/.test(line))
    .map((line) => line.split(/\s+/).slice(5));

  it('has one crontab line per job: a known CLI, its config (heartbeat, textfile), --lock-wait, --log-file', () => {
    expect(jobs.length).toBeGreaterThanOrEqual(1);
    for (const [bin, ...args] of jobs) {
      expect(bins, `crontab runs ${bin}, which no package provides`).toContain(bin);
      expect(args).toContain('--lock-wait');
      expect(args).toContain('--log-file');
      // no mail on success: stdout only when the run fails
      expect(args).toContain('--quiet');
      const config = args[args.indexOf('--config') + 1] ?? '';
      expect(config).toBe(`/etc/tempered/${bin}.yml`);
      const example = readFileSync(join(dir, 'tempered', `${bin}.yml`), 'utf8');
      expect(example).toMatch(/^ping: https:\/\//m);
      // one textfile per job in the collector's directory, never one file shared by two jobs
      expect(example).toMatch(/^metricsDir: \/var\/lib\/node_exporter\/textfile_collector\b/m);
      expect(example).not.toMatch(/^metricsFile:/m);
    }
  });

  it('has the same jobs as systemd units, each service with its timer', () => {
    const units = readdirSync(join(dir, 'systemd'));
    for (const [bin] of jobs) {
      expect(units).toEqual(expect.arrayContaining([`tempered-${bin}.service`, `tempered-${bin}.timer`]));
      const service = readFileSync(join(dir, 'systemd', `tempered-${bin}.service`), 'utf8');
      expect(service).toContain(`Environment=TEMPERED_CONFIG=/etc/tempered/${bin}.yml`);
      expect(service).toMatch(
        new RegExp(`^ExecStart=/usr/local/bin/${bin} .*--lock-wait .*--log-file `, 'm'),
      );
      expect(readFileSync(join(dir, 'systemd', `tempered-${bin}.timer`), 'utf8')).toMatch(/^OnCalendar=/m);
    }
  });
});
