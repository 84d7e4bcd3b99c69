/**
 * `pnpm registry`: a private registry on this machine, for trying the release path by hand.
 * Prints how to point npm and pnpm at it, and runs until Ctrl-C.
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startRegistry } from './startRegistry.js';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '4873' },
    dir: { type: 'string' },
    'no-upstream': { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});

if (values.help) {
  process.stdout.write(
    [
      'Usage: pnpm registry [--port 4873] [--dir DIR] [--no-upstream]',
      '',
      '  --port N        port on 127.0.0.1 (0: any free port; default 4873)',
      '  --dir DIR       keep storage in DIR (default: a temp dir removed on exit)',
      '  --no-upstream   serve only what was published here (no proxy to registry.npmjs.org)',
      '',
    ].join('\n'),
  );
  process.exit(0);
}

const registry = await startRegistry({
  port: Number(values.port),
  ...(values.dir ? { dir: values.dir } : {}),
  ...(values['no-upstream'] ? { upstream: false } : {}),
});
const npmrc = await registry.writeNpmrc(join(registry.dir, 'npmrc'));
process.stdout.write(
  [
    `Private registry for @tempered/* at ${registry.url} (storage: ${registry.dir})`,
    '',
    'Publish the workspace to it (after pnpm changeset version):',
    `  export npm_config_userconfig=${npmrc} TEMPERED_REGISTRY=${registry.url}`,
    '  pnpm build && pnpm publish-packages --no-git-tag',
    'Install a CLI from it:',
    `  npm_config_userconfig=${npmrc} npm i -g @tempered/file-sync`,
    '',
    'Ctrl-C stops it.',
    '',
  ].join('\n'),
);

const stop = () => {
  registry.stop().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
