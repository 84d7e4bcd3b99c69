import { Args, Flags, Parser } from '@oclif/core';
import { describe, expect, it } from 'vitest';
import { normalizeError } from '../../../src/command/normalizeError.js';
import { parseErrorMessage } from '../../../src/command/parseErrorMessage.js';

/** The error oclif's own parser throws for argv, with flags and args like our CLIs'. */
async function parseError(argv: string[]): Promise<Error> {
  try {
    await Parser.parse(argv, {
      flags: {
        concurrency: Flags.integer({ min: 1 }),
        'max-delete': Flags.integer({ min: 0 }),
        mode: Flags.string({ options: ['copy', 'move'] }),
      },
      args: { artifact: Args.string({ required: true, description: 'the build output to release' }) },
    });
  } catch (error) {
    return error as Error;
  }
  throw new Error(`${argv.join(' ')} parsed`);
}

describe("one line from oclif's parse errors, keeping the reason", () => {
  it.each([
    [['a', '--concurrency=abc'], '--concurrency: expected an integer but received: abc'],
    [
      ['a', '--max-delete=-5'],
      '--max-delete: expected an integer greater than or equal to 0 but received: -5',
    ],
    [[], 'missing required argument: ARTIFACT (the build output to release)'],
    [['a', '--mode=x'], 'Expected --mode=x to be one of: copy, move'],
    [['a', '--bogus'], 'Nonexistent flag: --bogus'],
  ])('%j -> %s', async (argv, expected) => {
    const error = await parseError(argv);
    expect(parseErrorMessage(error.message)).toBe(expected);
    const normalized = normalizeError(error);
    expect(normalized).toMatchObject({ exitCode: 2, message: expected, hint: 'see --help' });
  });

  it('keeps a message it does not know as it is, on one line', () => {
    expect(parseErrorMessage('Something new\n\twith a reason\nSee more help with --help')).toBe(
      'Something new: with a reason',
    );
  });
});
