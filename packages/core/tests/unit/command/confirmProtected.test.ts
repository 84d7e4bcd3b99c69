import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { confirmProtected } from '../../../src/command/index.js';

function terminal(answer: string) {
  const input = new PassThrough();
  const output = new PassThrough();
  let prompt = '';
  output.on('data', (chunk) => {
    prompt += String(chunk);
    if (prompt.includes(': ')) input.write(`${answer}\n`);
  });
  return { input, output, prompt: () => prompt };
}

describe('confirmProtected', () => {
  it('passes with --yes, without asking', async () => {
    await expect(
      confirmProtected({ environment: 'prod', yes: true, interactive: false }),
    ).resolves.toBeUndefined();
  });

  it('refuses without a TTY and without --yes: exit 2 with a hint naming --yes', async () => {
    const error = await confirmProtected({ environment: 'prod', yes: false, interactive: false }).catch(
      (e) => e,
    );
    expect(error.exitCode).toBe(2);
    expect(error.message).toBe('environment "prod" is protected and nothing confirmed the change');
    expect(error.hint).toMatch(/--yes/);
  });

  it('at a terminal, accepts the typed environment name', async () => {
    const tty = terminal('prod');
    await confirmProtected({ environment: 'prod', yes: false, interactive: true, ...tty });
    expect(tty.prompt()).toContain('Environment "prod" is protected. Type its name to continue:');
  });

  it('at a terminal, refuses anything else', async () => {
    const tty = terminal('yes');
    const error = await confirmProtected({
      environment: 'prod',
      yes: false,
      interactive: true,
      ...tty,
    }).catch((e) => e);
    expect(error.exitCode).toBe(2);
    expect(error.message).toMatch(/did not match "prod"/);
  });
});
