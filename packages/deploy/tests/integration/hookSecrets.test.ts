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

describe('secret environment variables a hook reads', () => {
  it('masks them in hook output, the log file and state files; not AUTHOR, and not short values', async () => {
    const ws = await workspace();
    const keyFile = await ws.writeFile('signing.key', `${KEY_LINES.join('\n')}\n`);
    const config = await ws.writeConfig('deploy.json', {
      secretVars: ['RELEASE_PIN'],
      deploy: {
        target: { path: targetOf(ws) },
        hooks: {
          beforeSwitch: [
            'echo "password=$DB_PASSWORD"',
            'cat "$SIGNING_KEY_FILE"',
            'echo "pin=$RELEASE_PIN author=$GIT_AUTHOR_NAME short=$API_TOKEN"',
          ],
        },
      },
    });
    const logFile = ws.path('deploy.log');

    const run = await ws.run(
      ['release', await makeApp(ws, 'v1'), '--version', 'v1', '--config', config, '--log-file', logFile],
      {
        env: {
          DB_PASSWORD,
          SIGNING_KEY_FILE: keyFile,
          RELEASE_PIN: PINNED,
          GIT_AUTHOR_NAME: AUTHOR,
          API_TOKEN: 'abc',
        },
      },
    );

    expect(run.code, run.stderr).toBe(0);
    const output = run.logs.filter((line) => line.msg === 'hook output').map((line) => String(line.line));
    expect(output).toEqual([
      'password=[REDACTED]',
      '[REDACTED]',
      '[REDACTED]',
      '[REDACTED]',
      // AUTHOR is no AUTH; three characters are too short to mask
      `pin=[REDACTED] author=${AUTHOR} short=abc`,
    ]);
    const secrets = [DB_PASSWORD, PINNED, KEY_LINES[1] as string];
    const texts: [string, string][] = [
      ['stdout', run.stdout],
      ['stderr', run.stderr],
      ['log file', await readFile(logFile, 'utf8')],
    ];
    for (const dir of [ws.stateHome, targetOf(ws)]) {
      for (const entry of await walk(dir)) {
        if (!entry.isDirectory && !entry.path.includes('/releases/')) {
          texts.push([entry.path, await readFile(entry.path, 'utf8')]);
        }
      }
    }
    for (const [where, text] of texts) {
      for (const secret of secrets) expect(text, `${secret} in ${where}`).not.toContain(secret);
    }
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
