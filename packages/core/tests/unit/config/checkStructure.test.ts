import { describe, expect, it } from 'vitest';
import { checkStructure } from '../../../src/config/checkStructure.js';
import { ConfigError } from '../../../src/errors/index.js';

const FILE = '/srv/tempered.yml';

function thrown(raw: unknown, cli = 'file-sync'): ConfigError {
  try {
    checkStructure(raw, FILE, cli);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('Function: checkStructure', () => {
  it('accepts standard keys, its own section and other CLIs sections', () => {
    const raw = {
      logLevel: 'info',
      'file-sync': { source: './a' },
      deploy: { target: { path: '/srv' } },
      environments: {
        staging: { 'file-sync': { destination: './b' } },
        prod: { protected: true, deploy: {} },
      },
    };
    const { data, environments } = checkStructure(raw, FILE, 'file-sync');
    expect(environments).toEqual(['staging', 'prod']);
    expect(data).toEqual(raw);
  });

  it('reads an empty environment as an empty mapping and no environments as none', () => {
    expect(checkStructure({ environments: { staging: null } }, FILE, 'x').data.environments).toEqual({
      staging: {},
    });
    expect(checkStructure({ environments: null }, FILE, 'x').environments).toEqual([]);
  });

  it('suggests the known key for a typo at the top level', () => {
    const error = thrown({ logLevl: 'debug' });
    expect(error.message).toBe(`${FILE}: logLevl: unknown key, did you mean "logLevel"?`);
    expect(error.hint).toBe('rename "logLevl" to "logLevel"');
    expect(error.keyPath).toBe('logLevl');
  });

  it('suggests the running CLI section name for a typo in it', () => {
    expect(thrown({ environments: { prod: { 'file-sycn': {} } } }).message).toBe(
      `${FILE}: environments.prod.file-sycn: unknown key, did you mean "file-sync"?`,
    );
  });

  it('suggests retry keys', () => {
    expect(thrown({ retry: { maxAttempt: 3 } }).message).toBe(
      `${FILE}: retry.maxAttempt: unknown key, did you mean "maxAttempts"?`,
    );
    expect(thrown({ environments: { prod: { retry: { jitter: true } } } }).message).toBe(
      `${FILE}: environments.prod.retry.jitter: unknown key`,
    );
  });

  it('rejects an unknown scalar key: a CLI section is always a mapping', () => {
    const error = thrown({ verbose: true });
    expect(error.message).toBe(`${FILE}: verbose: unknown key`);
    expect(error.hint).toContain('known keys: defaultEnvironment, environments, logLevel');
  });

  it('requires mappings where mappings belong', () => {
    expect(thrown(['a']).message).toBe(`${FILE}: expected a mapping, got a list`);
    expect(thrown({ 'file-sync': 'x' }).message).toBe(`${FILE}: file-sync: expected a mapping, got "x"`);
    expect(thrown({ environments: ['prod'] }).message).toBe(
      `${FILE}: environments: expected a mapping, got a list`,
    );
    expect(thrown({ environments: { prod: 'yes' } }).message).toBe(
      `${FILE}: environments.prod: expected a mapping, got "yes"`,
    );
  });

  it('rejects environment names that are not plain path segments', () => {
    expect(thrown({ environments: { '../prod': {} } }).message).toBe(
      `${FILE}: environments: expected environment names of letters, digits, ".", "_" and "-", got "../prod"`,
    );
    expect(thrown({ environments: { 'my env': {} } }).keyPath).toBe('environments');
  });
});
