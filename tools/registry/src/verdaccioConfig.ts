import { join } from 'node:path';

/** The public registry everything but our own scope is proxied to. */
export const NPMJS = 'https://registry.npmjs.org/';

/** The scope served (and publishable) only here: never proxied, so a public namesake never mixes in. */
export const SCOPE = '@tempered';

export interface VerdaccioConfigOptions {
  /** Directory of everything the registry writes: storage, htpasswd, its log. */
  dir: string;
  /** Registry that serves everything outside the scope; `false` serves only what was published here. */
  upstream: string | false;
  /** verdaccio's own log level, written to `<dir>/verdaccio.log`. */
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'http' | 'debug' | 'trace';
}

/**
 * verdaccio's configuration as an object (what its config.yaml would hold): the scope publishable
 * by anyone who can reach 127.0.0.1, everything else read-only and proxied, no web UI.
 */
export function verdaccioConfig(options: VerdaccioConfigOptions): Record<string, unknown> {
  const { dir, upstream } = options;
  const proxy = upstream ? { proxy: 'upstream' } : {};
  return {
    // verdaccio resolves relative paths against the config file's directory
    self_path: join(dir, 'config.yaml'),
    storage: join(dir, 'storage'),
    plugins: join(dir, 'plugins'),
    auth: { htpasswd: { file: join(dir, 'htpasswd'), max_users: -1 } },
    uplinks: upstream
      ? { upstream: { url: upstream, timeout: '60s', max_fails: 5, fail_timeout: '30s' } }
      : {},
    packages: {
      [`${SCOPE}/*`]: { access: '$all', publish: '$all', unpublish: '$all' },
      '**': { access: '$all', publish: '$authenticated', unpublish: '$authenticated', ...proxy },
    },
    security: { api: { legacy: true } },
    web: { enable: false },
    max_body_size: '200mb',
    server: { keepAliveTimeout: 60 },
    log: { type: 'file', path: join(dir, 'verdaccio.log'), format: 'json', level: options.logLevel },
  };
}
