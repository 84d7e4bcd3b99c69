/**
 * Issue 14, item 15: hook output is masked before a long line is cut, so a secret that straddles
 * the cut is not half printed.
 */
import { describe, expect, it } from 'vitest';
import { makeApp, workspace, writeDeployConfig } from './helpers.js';

const TOKEN = 's3cr3tTOKENvalue-0123456789';
// the secret starts 6 characters before the 8,192nd: cut first, "s3cr3t" would be printed
const PAD = 8_192 - 6;

describe('hook output', () => {
  it('masks a secret before cutting a long line, so no part of it is printed', async () => {
    const ws = await workspace();
    const config = await writeDeployConfig(ws, {
      hooks: { beforeSwitch: [`printf '%0${PAD}d%s\\n' 0 "\${API_TOKEN}"`] },
    });

    const run = await ws.run(['release', await makeApp(ws, 'v1'), '--version', 'v1', '--config', config], {
      env: { API_TOKEN: TOKEN },
    });

    expect(run.code, run.stderr).toBe(0);
    const output = run.logs.find((line) => line.msg === 'hook output');
    expect(String(output?.line).startsWith('0'.repeat(PAD))).toBe(true);
    // masked, then cut: the marker itself is what the cut shortens
    expect(String(output?.line).slice(PAD)).toBe('[REDAC...');
    for (let length = 4; length <= TOKEN.length; length++) {
      expect(run.stderr, `the first ${length} characters of the secret`).not.toContain(
        TOKEN.slice(0, length),
      );
    }
  });
});
