import { describe, expect, it } from 'vitest';
import { checkPublishRegistry, normalizeRegistry } from '../bin/check-publish-registry.js';

const PRIVATE = 'https://npm.example.com/';
const PNPM = 'pnpm/10.34.9 npm/? node/v20.20.2 linux x64';
const NPM = 'npm/11.19.1 node/v20.20.2 linux x64 workspaces/false';

describe('normalizeRegistry', () => {
  it('adds the trailing slash, lowercases the host, drops a default port; rejects junk', () => {
    expect(normalizeRegistry('HTTPS://NPM.example.com:443/repo')).toBe('https://npm.example.com/repo/');
    expect(normalizeRegistry('http://127.0.0.1:4873')).toBe('http://127.0.0.1:4873/');
    expect(normalizeRegistry('undefined')).toBeUndefined();
    expect(normalizeRegistry('')).toBeUndefined();
    expect(normalizeRegistry('not a url')).toBeUndefined();
  });
});

describe('checkPublishRegistry under pnpm (what changesets runs)', () => {
  it('passes when the scope mapping names the private registry', () => {
    const verdict = checkPublishRegistry({
      env: {
        npm_config_user_agent: PNPM,
        npm_config__tempered_registry: PRIVATE,
        npm_config_registry: 'https://registry.npmjs.org/',
      },
    });
    expect(verdict).toEqual({ ok: true, registry: PRIVATE });
  });

  it('refuses when nothing maps the scope: the publish would go to the default registry', () => {
    const verdict = checkPublishRegistry({
      env: { npm_config_user_agent: PNPM, npm_config_registry: 'https://registry.npmjs.org/' },
    });
    expect(verdict.ok).toBe(false);
    expect(verdict.ok || verdict.message).toContain('no private registry is configured for @tempered');
  });

  it('refuses a --registry that is not TEMPERED_REGISTRY, and passes the one that is', () => {
    const env = { npm_config_user_agent: PNPM, TEMPERED_REGISTRY: PRIVATE };
    const wrong = checkPublishRegistry({
      env: { ...env, npm_config_registry: 'https://registry.npmjs.org/' },
    });
    expect(wrong.ok || wrong.message).toContain(
      'this publish would go to https://registry.npmjs.org/, not the configured private registry https://npm.example.com/',
    );
    expect(checkPublishRegistry({ env: { ...env, npm_config_registry: 'https://npm.example.com' } })).toEqual(
      {
        ok: true,
        registry: PRIVATE,
      },
    );
  });

  it('refuses when the scope mapping and TEMPERED_REGISTRY disagree (the mapping is what gets used)', () => {
    const verdict = checkPublishRegistry({
      env: {
        npm_config_user_agent: PNPM,
        npm_config__tempered_registry: 'https://other.example.com/',
        TEMPERED_REGISTRY: PRIVATE,
      },
    });
    expect(verdict.ok || verdict.message).toContain('would go to https://other.example.com/');
  });

  it('ignores an inherited npm_config_@tempered:registry, which pnpm does not use to publish', () => {
    const verdict = checkPublishRegistry({
      env: {
        npm_config_user_agent: PNPM,
        'npm_config_@tempered:registry': PRIVATE,
        npm_config_registry: 'https://registry.npmjs.org/',
      },
    });
    expect(verdict.ok).toBe(false);
  });

  it('refuses a public registry even when it is the configured one', () => {
    for (const url of ['https://registry.npmjs.org/', 'https://registry.yarnpkg.com']) {
      const verdict = checkPublishRegistry({
        env: { npm_config_user_agent: PNPM, npm_config__tempered_registry: url },
      });
      expect(verdict.ok || verdict.message).toContain('is the public');
    }
  });

  it('refuses a TEMPERED_REGISTRY that is not a URL', () => {
    const verdict = checkPublishRegistry({
      env: { npm_config_user_agent: PNPM, npm_config__tempered_registry: PRIVATE, TEMPERED_REGISTRY: 'npm' },
    });
    expect(verdict.ok || verdict.message).toContain('TEMPERED_REGISTRY is not a URL');
  });
});

describe('checkPublishRegistry under npm', () => {
  it("reads npm's config for the scope mapping and the default registry", () => {
    const config: Record<string, string> = {
      '@tempered:registry': PRIVATE,
      registry: 'https://registry.npmjs.org/',
    };
    const asked: string[] = [];
    const verdict = checkPublishRegistry({
      env: { npm_config_user_agent: NPM },
      npmConfig: (key) => {
        asked.push(key);
        return config[key];
      },
    });
    expect(verdict).toEqual({ ok: true, registry: PRIVATE });
    expect(asked).toContain('@tempered:registry');
  });

  it('refuses when npm reports no scope mapping ("undefined")', () => {
    const verdict = checkPublishRegistry({
      env: { npm_config_user_agent: NPM },
      npmConfig: (key) => (key === 'registry' ? 'https://registry.npmjs.org/' : 'undefined'),
    });
    expect(verdict.ok).toBe(false);
  });

  it("honours the package's publishConfig", () => {
    const verdict = checkPublishRegistry({
      env: { npm_config_user_agent: NPM, TEMPERED_REGISTRY: PRIVATE },
      npmConfig: () => undefined,
      publishConfig: { registry: 'https://registry.npmjs.org/' },
    });
    expect(verdict.ok).toBe(false);
  });
});
