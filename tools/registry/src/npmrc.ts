import { SCOPE } from './verdaccioConfig.js';

/**
 * Placeholder credentials: the local registry lets anyone publish `@tempered/*`, but npm
 * refuses to publish to a registry it holds no token for.
 */
export const PLACEHOLDER_TOKEN = 'tempered-local-registry';

/**
 * The .npmrc for a registry: `@tempered` mapped to it (what the publish guard and npm use for
 * our packages), every other package through it too (proxied), and the token line.
 */
export function npmrcFor(url: string, options: { defaultRegistry?: boolean } = {}): string {
  const base = url.endsWith('/') ? url : `${url}/`;
  const authKey = base.replace(/^https?:/, '');
  return [
    `${SCOPE}:registry=${base}`,
    ...(options.defaultRegistry === false ? [] : [`registry=${base}`]),
    `${authKey}:_authToken=${PLACEHOLDER_TOKEN}`,
    '',
  ].join('\n');
}
