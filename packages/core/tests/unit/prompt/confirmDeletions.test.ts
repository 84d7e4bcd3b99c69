import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { confirmDeletions } from '../../../src/prompt/index.js';

function terminal(answer: string) {
  const input = new PassThrough();
  const output = new PassThrough();
  let shown = '';
  output.on('data', (chunk: Buffer) => {
    shown += chunk.toString();
    if (shown.includes('Type its name')) input.write(`${answer}\n`);
  });
  return { input, output, shown: () => shown };
}

describe('Function: confirmDeletions', () => {
  it('refuses without --yes when nobody is at a terminal, in any environment', async () => {
    await expect(
      confirmDeletions({ environment: 'default', count: 7, yes: false, interactive: false }),
    ).rejects.toMatchObject({
      exitCode: 2,
      message: 'refusing to delete 7 resources without --yes',
    });
  });

  it('passes with --yes, or when there is nothing to delete, without anybody typing a name', async () => {
    await expect(
      confirmDeletions({ environment: 'ci', count: 7, yes: true, interactive: false }),
    ).resolves.toBe(false);
    await expect(
      confirmDeletions({ environment: 'ci', count: 0, yes: false, interactive: false }),
    ).resolves.toBe(false);
  });

  it('at a terminal shows the plan and passes when the environment name is typed', async () => {
    const tty = terminal('ci');
    const typed = await confirmDeletions({
      environment: 'ci',
      count: 1,
      yes: false,
      interactive: true,
      plan: 'THE PLAN',
      ...tty,
    });
    expect(typed).toBe(true);
    expect(tty.shown()).toContain('THE PLAN');
    expect(tty.shown()).toContain('Delete 1 resource in environment "ci"? Type its name to confirm:');
  });

  it('at a terminal refuses a wrong name', async () => {
    const tty = terminal('prod');
    await expect(
      confirmDeletions({ environment: 'ci', count: 2, yes: false, interactive: true, ...tty }),
    ).rejects.toMatchObject({ exitCode: 2, message: 'confirmation did not match "ci"; nothing was deleted' });
  });
});
