// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${VAR} placeholders are the config syntax under test
/**
 * Issue 14, item 14: a hook that reads a secret straight from its environment (`$DB_PASSWORD`,
 * never through the config) printed it unmasked. Values of variables whose names mark them secret,
 * the contents of `*_FILE` files and the names the config lists in `secretVars` are masked now,
 * in hook output, the log file and every state file; AUTHOR is not AUTH.
 * Item 16: a secret printed base64-encoded, URL-encoded or JSON-escaped is masked too.
 */
import { readFile } from 'node:fs/promises';
import { walk } from '@tempered/testkit';
import { describe, expect, it } from 'vitest';
import { makeApp, targetOf, workspace } from './helpers.js';

const DB_PASSWORD = 'db-pw-0f9e8d7c6b5a';
const KEY_LINES = ['-----BEGIN TEST KEY-----', 'MIIBVgIBADANBgkqhkiG9w0BAQEF', '-----END TEST KEY-----'];
const PINNED = 'pinned-value-4a5b6c7d';
const AUTHOR = 'Alice Author';

/** Runs a release whose beforeSwitch hooks are `hooks`; returns the run, its hook output and every text it left. */
async function releaseWithHooks(
  top: Record<string, unknown>,
  hooks: string[],
  env: Record<string, string>,
  files: Record<string, string> = {},
) {
  const ws = await workspace();
  const paths: Record<string, string> = {};
  for (const [name, content] of Object.entries(files)) paths[name] = await ws.writeFile(name, content);
  const config = await ws.writeConfig('deploy.json', {
    ...top,
    deploy: { target: { path: targetOf(ws) }, hooks: { beforeSwitch: hooks } },
  });
  const logFile = ws.path('deploy.log');
  const run = await ws.run(
    ['release', await makeApp(ws, 'v1'), '--version', 'v1', '--config', config, '--log-file', logFile],
    {
      env: {
        ...env,
        ...Object.fromEntries(Object.entries(paths).map(([n, p]) => [`${n.toUpperCase()}_FILE`, p])),
      },
    },
  );
  const output = run.logs.filter((line) => line.msg === 'hook output').map((line) => String(line.line));
  const texts: [string, string][] = [
    ['stdout', run.stdout],
    ['stderr', run.stderr],
    ['log file', await readFile(logFile, 'utf8').catch(() => '')],
  ];
  for (const dir of [ws.stateHome, targetOf(ws)]) {
    for (const entry of await walk(dir)) {
      if (!entry.isDirectory && !entry.path.includes('/releases/')) {
        texts.push([entry.path, await readFile(entry.path, 'utf8')]);
      }
    }
  }
  return { run, output, texts };
}

function expectNowhere(texts: [string, string][], secrets: string[]): void {
  for (const [where, text] of texts) {
    for (const secret of secrets) expect(text, `${secret} in ${where}`).not.toContain(secret);
  }
}

describe('secret environment variables a hook reads', () => {
  it('masks them by name, and *_FILE contents, in hook output, the log file and state files; not AUTHOR, not short values', async () => {
    const { run, output, texts } = await releaseWithHooks(
      {},
      [
        'echo "password=$DB_PASSWORD"',
        'cat "$SIGNING_KEY_FILE"',
        'echo "author=$GIT_AUTHOR_NAME short=$API_TOKEN"',
      ],
      { DB_PASSWORD, GIT_AUTHOR_NAME: AUTHOR, API_TOKEN: 'abc' },
      // SIGNING_KEY_FILE names it
      { signing_key: `${KEY_LINES.join('\n')}\n` },
    );

    expect(run.code, run.stderr).toBe(0);
    expect(output).toEqual([
      'password=[REDACTED]',
      '[REDACTED]',
      '[REDACTED]',
      '[REDACTED]',
      // AUTHOR is no AUTH; three characters are too short to mask
      `author=${AUTHOR} short=abc`,
    ]);
    expectNowhere(texts, [DB_PASSWORD, KEY_LINES[1] as string]);
  });

  it('masks the variables the config lists in secretVars, whatever their names', async () => {
    const { run, output, texts } = await releaseWithHooks(
      { secretVars: ['RELEASE_PIN'] },
      ['echo "pin=$RELEASE_PIN"'],
      { RELEASE_PIN: PINNED },
    );

    expect(run.code, run.stderr).toBe(0);
    expect(output).toEqual(['pin=[REDACTED]']);
    expectNowhere(texts, [PINNED]);
  });
});

/** A secret whose URL-encoded, JSON-escaped and base64 forms all differ from it. */
const TRICKY = 'p@ss "wörd"/+?-0123456789';

describe('encoded forms of a secret in hook output', () => {
  it('masks base64 (standard, URL-safe, after a prefix), URL-encoded and JSON-escaped forms', async () => {
    const ws = await workspace();
    const js = (expression: string) => `node -e 'console.log(${expression})'`;
    const config = await ws.writeConfig('deploy.json', {
      deploy: {
        target: { path: targetOf(ws) },
        hooks: {
          beforeSwitch: [
            // the config reads ${HC_PASSWORD} (so even the old code knew the value, just not its
            // encodings); the hooks that print it take $HC_PASSWORD, left alone by the shell
            ": '${HC_PASSWORD}'",
            'printf %s "$HC_PASSWORD" | base64',
            'printf "user:%s" "$HC_PASSWORD" | base64',
            js('Buffer.from(process.env.HC_PASSWORD).toString("base64url")'),
            js('"https://example.com/?p=" + encodeURIComponent(process.env.HC_PASSWORD)'),
            js('JSON.stringify({ password: process.env.HC_PASSWORD })'),
          ],
        },
      },
    });

    const run = await ws.run(['release', await makeApp(ws, 'v1'), '--version', 'v1', '--config', config], {
      env: { HC_PASSWORD: TRICKY },
    });

    expect(run.code, run.stderr).toBe(0);
    const output = run.logs.filter((line) => line.msg === 'hook output').map((line) => String(line.line));
    expect(output).toHaveLength(5);
    for (const line of output) expect(line).toContain('[REDACTED]');
    const forms = [
      Buffer.from(TRICKY).toString('base64'),
      Buffer.from(TRICKY).toString('base64url'),
      Buffer.from(`user:${TRICKY}`).toString('base64'),
      encodeURIComponent(TRICKY),
      JSON.stringify(TRICKY).slice(1, -1),
    ];
    // the few characters a neighbour shares may stay; no run of the secret's own does
    for (const form of forms) expect(run.stderr).not.toContain(form.slice(4, -4));
  });
});
