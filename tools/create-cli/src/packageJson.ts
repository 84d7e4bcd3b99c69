/**
 * The package.json of a generated CLI: the same shape as the product CLIs' (file-sync, deploy),
 * with dependency versions taken from core's own package.json so a new CLI never pins an
 * @oclif/core or zod that differs from the one core was built against.
 */

/**
 * tsc, the one-file bundle bin/run.cjs starts (tools/bundler), then the oclif manifest (shipped,
 * not committed) and the command reference COMMANDS.md.
 */
export const CLI_BUILD_SCRIPT =
  'tsc -b && tempered-bundle && export OCLIF_SKIP_NEW_VERSION_CHECK=true && oclif manifest && oclif readme --readme-path COMMANDS.md';

/** The publish guard: refuses any registry but the configured private one. */
export const PUBLISH_GUARD_SCRIPT = 'node ../../tools/registry/bin/check-publish-registry.js';

/** What a tarball ships: what runs, its types, its docs. */
export const CLI_FILES = [
  'bin',
  'dist',
  '!dist/**/*.tsbuildinfo',
  '!dist/**/*.map',
  'README.md',
  'COMMANDS.md',
  'CHANGELOG.md',
  'oclif.manifest.json',
];

/**
 * What operators expect of an oclif CLI: `help <command>`, a did-you-mean for a typo, shell
 * completion. Loaded by name from node_modules (not bundled), so they are dependencies.
 */
export const OCLIF_PLUGINS = ['@oclif/plugin-help', '@oclif/plugin-not-found', '@oclif/plugin-autocomplete'];

export interface CorePackageJson {
  engines?: Record<string, string>;
  dependencies?: Record<string, string>;
}

export function cliPackageJson(options: {
  name: string;
  description: string;
  core: CorePackageJson;
  /** OCLIF_PLUGINS at the versions the workspace's CLIs use (see `pluginVersions`). */
  plugins: Record<string, string>;
}): Record<string, unknown> {
  const { name, description, core, plugins } = options;
  const pin = (dependency: string): string => {
    const version = core.dependencies?.[dependency];
    if (!version) throw new Error(`packages/core/package.json has no ${dependency} dependency to copy`);
    return version;
  };
  const pluginPin = (plugin: string): string => {
    const version = plugins[plugin];
    if (!version) throw new Error(`no CLI of the workspace depends on ${plugin} to copy its version from`);
    return version;
  };
  return {
    name: `@tempered/${name}`,
    version: '0.0.0',
    description,
    type: 'module',
    license: 'MIT',
    engines: core.engines ?? { node: '>=22.12' },
    bin: { [name]: './bin/run.cjs' },
    main: './dist/index.js',
    types: './dist/index.d.ts',
    exports: {
      '.': { types: './dist/index.d.ts', import: './dist/index.js' },
      './package.json': './package.json',
    },
    files: CLI_FILES,
    publishConfig: { access: 'restricted' },
    oclif: {
      bin: name,
      dirname: `tempered-${name}`,
      commands: { strategy: 'explicit', target: './dist/cli.cjs', identifier: 'COMMANDS' },
      topicSeparator: ' ',
      additionalHelpFlags: ['-h'],
      plugins: OCLIF_PLUGINS,
    },
    scripts: {
      build: CLI_BUILD_SCRIPT,
      typecheck: 'tsc -p tsconfig.test.json',
      test: 'vitest run',
      prepublishOnly: PUBLISH_GUARD_SCRIPT,
    },
    dependencies: {
      '@oclif/core': pin('@oclif/core'),
      ...Object.fromEntries(OCLIF_PLUGINS.map((plugin) => [plugin, pluginPin(plugin)])),
      '@tempered/core': 'workspace:^',
      // loaded lazily by core's HTTP client, so left out of the bundle
      undici: pin('undici'),
      zod: pin('zod'),
    },
    devDependencies: { '@tempered/bundler': 'workspace:*' },
  };
}

/**
 * The version of each of OCLIF_PLUGINS that the workspace's CLIs already depend on (the first
 * that names it): the lockfile locks it, so the new package links offline, and every CLI runs
 * the same plugins.
 */
export function pluginVersions(manifests: readonly Record<string, unknown>[]): Record<string, string> {
  const versions: Record<string, string> = {};
  for (const plugin of OCLIF_PLUGINS) {
    for (const manifest of manifests) {
      const version = (manifest.dependencies as Record<string, string> | undefined)?.[plugin];
      if (version) {
        versions[plugin] = version;
        break;
      }
    }
  }
  return versions;
}
