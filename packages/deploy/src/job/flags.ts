import { Args, Flags } from '@oclif/core';

export const releaseArgs = {
  artifact: Args.string({ description: 'Build output: a directory or a .tar.gz file', required: true }),
};

/** Narrow a run to some hosts of an SSH target. */
export const hostFlags = {
  hosts: Flags.string({
    summary: 'Only these hosts of an SSH target (comma-separated names), e.g. web1,web2.',
  }),
  labels: Flags.string({
    summary: 'Only the hosts with one of these labels (comma-separated), e.g. canary.',
  }),
};

/** Why this run holds the hosts: kept with each host's lock, shown by `status`. */
export const messageFlag = {
  message: Flags.string({
    char: 'm',
    summary: 'A note kept with each host lock while this run holds it, e.g. "hotfix for #123".',
  }),
};

export const releaseFlags = {
  ...hostFlags,
  ...messageFlag,
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
