import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { confirmByTyping, confirmProtected } from '../../../src/prompt/index.js';

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

describe('confirmByTyping', () => {
  const refusals = {
    noTerminal: { message: 'needs confirmation', hint: 'pass --yes' },
    mismatch: { message: 'not confirmed', hint: 'type yes' },
  };

  it('shows the preamble above the question, on the output it was given, and accepts the word', async () => {
    const tty = terminal(' yes ');
    await confirmByTyping({
      expected: 'yes',
      question: 'Remove? Type "yes": ',
      preamble: 'lock of run r1\nlock of run r2',
      interactive: true,
      ...refusals,
      ...tty,
    });
    expect(tty.prompt()).toBe('lock of run r1\nlock of run r2\nRemove? Type "yes": ');
  });

  it('without a terminal, refuses at once with its message and hint (exit 2), writing nothing', async () => {
    const tty = terminal('yes');
    const error = await confirmByTyping({
      expected: 'yes',
      question: 'Remove? ',
      preamble: 'shown only at a terminal',
      interactive: false,
      ...refusals,
      ...tty,
    }).catch((e) => e);
    expect(error).toMatchObject({ exitCode: 2, message: 'needs confirmation', hint: 'pass --yes' });
    expect(tty.prompt()).toBe('');
  });

  it('refuses any other answer with the mismatch message', async () => {
    const error = await confirmByTyping({
      expected: 'yes',
      question: 'Remove? Type "yes": ',
      interactive: true,
      ...refusals,
      ...terminal('y'),
    }).catch((e) => e);
    expect(error).toMatchObject({ exitCode: 2, message: 'not confirmed', hint: 'type yes' });
  });
});
