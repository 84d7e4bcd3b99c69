import { describe, expect, it } from 'vitest';
import { requestedLogLevel, wantsJson } from '../../../src/launch/cliArgs.js';

describe('what the arguments say before a command parses them', () => {
  it('--json anywhere before --, never after it', () => {
    expect(wantsJson(['synk', '--json'])).toBe(true);
    expect(wantsJson(['--json', 'synk'])).toBe(true);
    expect(wantsJson(['synk'])).toBe(false);
    expect(wantsJson(['sync', '--', '--json'])).toBe(false);
  });

  it('--log-level X or --log-level=X, else TEMPERED_LOG_LEVEL, else info; an unknown level is info', () => {
    expect(requestedLogLevel(['synk', '--log-level', 'debug'], {})).toBe('debug');
    expect(requestedLogLevel(['synk', '--log-level=warn'], {})).toBe('warn');
    expect(requestedLogLevel(['synk'], { TEMPERED_LOG_LEVEL: 'error' })).toBe('error');
    expect(requestedLogLevel(['synk', '--log-level', 'loud'], {})).toBe('info');
    expect(requestedLogLevel(['sync', '--', '--log-level', 'debug'], {})).toBe('info');
  });
});
