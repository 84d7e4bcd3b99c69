#!/usr/bin/env node
// Bundles the CLI in the current directory (after `tsc -b`) into dist/cli.cjs (and dist/launch.cjs,
// what bin/run.cjs starts with): oclif, @tempered/core
// and every command in one CommonJS file that @tempered/core/launch loads through V8's code cache.
// Commands are exported through getters (oclif's "explicit" strategy), so a run initialises only
// the command it runs and `--help` initialises none.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join, relative, sep } from 'node:path';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';

const { values } = parseArgs({
  options: {
    worker: { type: 'string', multiple: true, default: [] },
    external: { type: 'string', multiple: true, default: [] },
    metafile: { type: 'boolean', default: false },
  },
});

const root = process.cwd();
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const commandsDir = join(root, 'dist', 'commands');
const target = pkg.oclif?.commands?.target;
if (target !== './dist/cli.cjs') {
  fail(
    `${pkg.name}: package.json oclif.commands must be {"strategy": "explicit", "target": "./dist/cli.cjs", "identifier": "COMMANDS"}`,
  );
}

const commands = listCommands(commandsDir);
if (commands.length === 0) fail(`${pkg.name}: no commands under dist/commands (run tsc -b first)`);

const entry = [
  // core's entry: oclif's run, with unknown commands and errors outside a command reported as Tempered errors
  "exports.main = require('@tempered/core/main').main;",
  'exports.COMMANDS = {',
  ...commands.map(
    ({ id, file }) =>
      `  get ${JSON.stringify(id)}() { return require(${JSON.stringify(`./${file}`)}).default; },`,
  ),
  '};',
].join('\n');

// import.meta.url of the bundled sources is the bundle's own URL: worker scripts and files
// next to the bundle resolve from dist/ as they do unbundled.
const common = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node22.12',
  // typescript is only reached by oclif's development-mode ts-node path; undici (~700 KB) is
  // imported lazily by core's HTTP client and stays a runtime dependency of the CLI, so a run
  // without HTTP never reads it. YAML config is read by most runs, so yaml is bundled.
  external: ['typescript', 'undici', 'pg', ...values.external],
  define: { 'import.meta.url': '__bundle_url' },
  // import() of an external becomes require(): a vm.Script (the launcher's code cache) can only
  // import() through an experimental hook that prints a warning on stderr
  supported: { 'dynamic-import': false },
  banner: { js: "var __bundle_url = require('node:url').pathToFileURL(__filename).href;" },
  minifyWhitespace: true,
  minifySyntax: true,
  legalComments: 'none',
  logLevel: 'warning',
  metafile: values.metafile,
  write: false,
};

const results = await Promise.all([
  build({
    ...common,
    stdin: { contents: entry, resolveDir: root, sourcefile: 'cli-entry.cjs', loader: 'js' },
    outfile: join(root, 'dist', 'cli.cjs'),
  }),
  // the launcher, as CommonJS next to the bundle: bin/run.cjs requires it without an ES module loader
  // built for an old target: it must parse on any Node to tell an old one what it needs
  build({
    ...common,
    target: 'node16',
    stdin: {
      contents: "export { launch } from '@tempered/core/launch';",
      resolveDir: root,
      sourcefile: 'launch-entry.js',
      loader: 'js',
    },
    outfile: join(root, 'dist', 'launch.cjs'),
  }),
  ...values.worker.map((file) =>
    build({
      ...common,
      entryPoints: [join(root, file)],
      outfile: join(root, 'dist', basename(file).replace(/\.js$/, '.cjs')),
    }),
  ),
]);
for (const result of results) {
  for (const output of result.outputFiles) {
    // the launcher keys its code cache on this id instead of hashing a megabyte at every start
    const id = createHash('sha256').update(output.contents).digest('hex').slice(0, 32);
    writeFileSync(output.path, Buffer.concat([Buffer.from(`// tempered-bundle ${id}\n`), output.contents]));
    if (values.metafile)
      console.log(`${relative(root, output.path)} ${(output.contents.length / 1024).toFixed(0)} KiB`);
  }
}

function listCommands(dir) {
  const found = [];
  const walk = (current) => {
    for (const entry of readdirSync(current, { withFileTypes: true })) {
      const path = join(current, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.js')) {
        const parts = relative(dir, path).replace(/\.js$/, '').split(sep);
        if (parts.at(-1) === 'index') parts.pop();
        found.push({ id: parts.join(':'), file: relative(root, path).split(sep).join('/') });
      }
    }
  };
  try {
    walk(dir);
  } catch (error) {
    if (error.code !== 'ENOENT') throw error;
  }
  return found.sort((a, b) => a.id.localeCompare(b.id));
}

function fail(message) {
  console.error(`tempered-bundle: ${message}`);
  process.exit(2);
}
