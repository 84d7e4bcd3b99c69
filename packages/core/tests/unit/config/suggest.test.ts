import { describe, expect, it } from 'vitest';
import { didYouMean, levenshtein } from '../../../src/config/suggest.js';

describe('Function: levenshtein', () => {
  it.each([
    ['logLevel', 'logLevel', 0],
    ['logLevl', 'logLevel', 1],
    ['lgoLevel', 'logLevel', 2],
    ['', 'abc', 3],
    ['ping', 'sync', 3],
  ])('distance(%s, %s) = %i', (a, b, expected) => {
    expect(levenshtein(a, b)).toBe(expected);
  });
});

describe('Function: didYouMean', () => {
  const known = ['logLevel', 'logFile', 'stateDir', 'retry', 'file-sync'];

  it('suggests the closest key within two edits', () => {
    expect(didYouMean('logLevl', known)).toBe('logLevel');
    expect(didYouMean('retyr', known)).toBe('retry');
    expect(didYouMean('file-sycn', known)).toBe('file-sync');
  });

  it('ignores case and underscores, the usual env-var habits', () => {
    expect(didYouMean('LOG_LEVEL', known)).toBe('logLevel');
    expect(didYouMean('statedir', known)).toBe('stateDir');
  });

  it('suggests nothing when every key is more than two edits away', () => {
    expect(didYouMean('deploy', known)).toBeUndefined();
    expect(didYouMean('resource-cleanup', known)).toBeUndefined();
  });
});
