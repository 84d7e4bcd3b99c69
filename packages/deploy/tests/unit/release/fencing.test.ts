import { describe, expect, it } from 'vitest';
import { FencedSwitchError } from '../../../src/errors.js';
import { assertSwitchAllowed, compareTokens, recordSwitch } from '../../../src/release/fencing.js';
import { emptyLog } from '../../../src/release/types.js';

const withRelease = () => ({
  ...emptyLog(),
  releases: [
    {
      id: 'r1',
      digest: 'sha256:1',
      artifact: '/a',
      status: 'good' as const,
      deployedBy: 'ops@h',
      deployedAt: '2026-01-01T00:00:00.000Z',
      runId: 'run-1',
    },
  ],
});

describe('fencing tokens at the switch', () => {
  it('compares integer tokens by value, whatever their length', () => {
    expect(compareTokens('9', '10')).toBe(-1);
    expect(compareTokens('10', '9')).toBe(1);
    expect(compareTokens('12345678901234567890', '12345678901234567890')).toBe(0);
  });

  it('allows the first switch, an equal token (the same run rolling back) and a higher one', () => {
    expect(() => assertSwitchAllowed(emptyLog(), '3', 'r1')).not.toThrow();
    const log = recordSwitch(withRelease(), '7', 'r1');
    expect(() => assertSwitchAllowed(log, '7', 'r1')).not.toThrow();
    expect(() => assertSwitchAllowed(log, '8', 'r1')).not.toThrow();
  });

  it('refuses a run whose token is lower than the recorded one, with exit 75', () => {
    const log = recordSwitch(withRelease(), '10', 'r1');
    let caught: unknown;
    try {
      assertSwitchAllowed(log, '9', 'r2');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(FencedSwitchError);
    expect((caught as FencedSwitchError).exitCode).toBe(75);
    expect((caught as Error).message).toContain('refusing to switch to r2');
  });

  it('records the token on the log and beside the release switched to', () => {
    const log = recordSwitch(withRelease(), '42', 'r1');
    expect(log.switchFence).toBe('42');
    expect(log.releases[0]?.switchFence).toBe('42');
  });
});
