import { Args, Flags } from '@oclif/core';

export const releaseArgs = {
  artifact: Args.string({ description: 'Build output: a directory or a .tar.gz file', required: true }),
};

export const releaseFlags = {
  version: Flags.string({
    summary: 'Release id (default: UTC timestamp and short digest), e.g. 1.4.2.',
  }),
  force: Flags.boolean({
    summary: 'Replace an existing release of the same --version with a different artifact.',
    default: false,
  }),
};

export const rollbackArgs = {
  release: Args.string({ description: 'Release id to switch to (default: the previous good release)' }),
};
