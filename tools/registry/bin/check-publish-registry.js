#!/usr/bin/env node
/**
 * The publish guard: `prepublishOnly` of every published package, and the first step of
 * `pnpm publish-packages`. Exits 1, before anything is uploaded, unless the registry this publish
 * of an `@tempered/*` package goes to is the configured private one:
 *
 * - configured: `TEMPERED_REGISTRY` if set, else the `@tempered:registry` scope mapping (.npmrc,
 *   ~/.npmrc, `npm_config_userconfig`); neither set is a refusal, and so is a public registry;
 * - resolved: what the publishing client will use, the scope mapping first (it wins over
 *   `--registry` in npm and pnpm alike), else the default registry (`--registry`).
 *
 * Plain JavaScript with no dependencies, so it runs before (and without) any build.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const SCOPE = '@tempered';

/** Registries that must never receive our packages. */
export const PUBLIC_REGISTRY_HOSTS = ['registry.npmjs.org', 'registry.yarnpkg.com', 'registry.npmmirror.com'];

/** `https://Host:443/path` -> `https://host/path/`; undefined for an empty or unparsable value. */
export function normalizeRegistry(value) {
  if (typeof value !== 'string' || value.trim() === '' || value === 'undefined' || value === 'null') return;
  try {
    const url = new URL(value.trim());
    return `${url.origin}${url.pathname.endsWith('/') ? url.pathname : `${url.pathname}/`}`;
  } catch {
    return;
  }
}

export function isPublicRegistry(url) {
  const normalized = normalizeRegistry(url);
  return normalized !== undefined && PUBLIC_REGISTRY_HOSTS.includes(new URL(normalized).hostname);
}

/**
 * Decides. `env` is the lifecycle environment; `npmConfig(key)` reads npm's config (only asked
 * outside pnpm, which exports its resolved config to scripts); `publishConfig` is the package's.
 * Returns `{ ok: true, registry }` or `{ ok: false, message }`.
 */
export function checkPublishRegistry({ env, npmConfig = () => undefined, publishConfig = {} }) {
  const underPnpm = (env.npm_config_user_agent ?? '').startsWith('pnpm/');
  // pnpm exports its scope mapping as npm_config__tempered_registry and ignores an inherited
  // `npm_config_@tempered:registry`; npm reads that variable as config, so only npm gets it
  const mapped = normalizeRegistry(
    publishConfig[`${SCOPE}:registry`] ??
      (underPnpm
        ? env[`npm_config_${SCOPE.replace(/[@-]/g, '_')}_registry`]
        : (env[`npm_config_${SCOPE}:registry`] ?? npmConfig(`${SCOPE}:registry`))),
  );
  const fallback = normalizeRegistry(
    publishConfig.registry ?? env.npm_config_registry ?? (underPnpm ? undefined : npmConfig('registry')),
  );
  const resolved = mapped ?? fallback ?? 'https://registry.npmjs.org/';
  const configured = normalizeRegistry(env.TEMPERED_REGISTRY) ?? mapped;

  if (env.TEMPERED_REGISTRY !== undefined && normalizeRegistry(env.TEMPERED_REGISTRY) === undefined) {
    return { ok: false, message: `TEMPERED_REGISTRY is not a URL: ${JSON.stringify(env.TEMPERED_REGISTRY)}` };
  }
  if (configured === undefined) {
    return {
      ok: false,
      message:
        `no private registry is configured for ${SCOPE}, so this would publish to ${resolved}. ` +
        `Map the scope in .npmrc: "${SCOPE}:registry=https://<your private registry>/" (and set TEMPERED_REGISTRY to the same URL to pin it).`,
    };
  }
  if (isPublicRegistry(configured)) {
    return {
      ok: false,
      message: `the registry configured for ${SCOPE} is the public ${configured}; ${SCOPE}/* packages go only to the private registry.`,
    };
  }
  if (resolved !== configured) {
    return {
      ok: false,
      message:
        `this publish would go to ${resolved}, not the configured private registry ${configured}. ` +
        `Map the scope ("${SCOPE}:registry=${configured}" in .npmrc) instead of passing --registry.`,
    };
  }
  return { ok: true, registry: resolved };
}

function npmConfigGet(key) {
  const result = spawnSync('npm', ['config', 'get', key], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  return result.status === 0 ? result.stdout.trim() : undefined;
}

function main() {
  let publishConfig = {};
  // inside a publish lifecycle: the package being published (its own publishConfig counts)
  if (process.env.npm_package_json) {
    try {
      publishConfig = JSON.parse(readFileSync(process.env.npm_package_json, 'utf8')).publishConfig ?? {};
    } catch {
      publishConfig = {};
    }
  }
  // a package's own publish names it; the workspace root (`pnpm publish-packages`) has no version
  const { npm_package_name: name, npm_package_version: version } = process.env;
  const what = name && version ? `${name}@${version}` : `${SCOPE}/*`;
  const verdict = checkPublishRegistry({ env: process.env, npmConfig: npmConfigGet, publishConfig });
  if (!verdict.ok) {
    process.stderr.write(`publish refused (${what}): ${verdict.message}\n`);
    process.exit(1);
  }
  process.stderr.write(`publish registry checked (${what}): ${verdict.registry}\n`);
}

const invoked =
  process.argv[1] && realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url));
if (invoked) main();
