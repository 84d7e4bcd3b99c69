import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { FILE_SYNC, Planted, placeholder, runner } from './suite.js';

/** Every 20-character window of `secret` found in `text`: a partial leak, not just the whole value. */
function partialLeaks(secret: string, text: string): string[] {
  const found = new Set<string>();
  for (let start = 0; start + 20 <= secret.length; start += 1) {
    const window = secret.slice(start, start + 20);
    if (text.includes(window)) found.add(window);
  }
  return [...found];
}

describe('a config error quoting a bad value that holds a secret', () => {
  // Found by this suite: core's describeValue() once cut a bad value to 60 characters before
  // redacting it, so a secret straddling the cut printed its prefix. It now redacts first.
  it('never prints part of the secret (file-sync sync, invalid ping URL)', async () => {
    const ws = await FILE_SYNC.workspace();
    const planted = new Planted();
    const password = planted.plant('truncated', '/x'); // the slash ends the authority early: an invalid URL
    const logFile = ws.path('log.jsonl');
    await ws.writeFile('src/a.txt', 'a\n');
    const config = await ws.writeConfig('bad-ping.json', {
      ping: `http://ops:${placeholder('SUITE_PASSWORD')}@127.0.0.1:9/hc`,
      'file-sync': { source: ws.path('src'), destination: ws.path('dst') },
    });
    const { run } = runner(ws, logFile, { SUITE_PASSWORD: password });

    const result = await run('sync, invalid ping', ['sync', '--config', config, '--json']);

    expect(result.code).toBe(2);
    const everything = result.stdout + result.stderr + (await readFile(logFile, 'utf8').catch(() => ''));
    expect(everything).toContain('ping: expected an http(s) URL');
    expect(partialLeaks(password, everything)).toEqual([]);
  });
});
