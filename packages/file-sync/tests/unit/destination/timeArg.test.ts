import { describe, expect, it } from 'vitest';
import { timeArg } from '../../../src/destination/timeArg.js';

/** What libuv makes of the seconds Node hands it (uv__fs_to_timespec), in nanoseconds. */
function libuv(arg: number | string, cutsToMicroseconds: boolean): bigint {
  const time = Number(arg);
  let sec = Math.trunc(time);
  let nsec = Math.trunc((time - sec) * 1e9);
  if (cutsToMicroseconds) nsec -= nsec % 1000;
  if (nsec < 0) {
    nsec += 1e9;
    sec -= 1;
  }
  return BigInt(sec) * 1_000_000_000n + BigInt(nsec);
}

/** The time `ms` stands for, in nanoseconds (exact integers: doubles of ns lose hundreds). */
function wanted(ms: number): bigint {
  const second = Math.floor(ms / 1000);
  return BigInt(second) * 1_000_000_000n + BigInt(Math.round((ms - second * 1000) * 1e6));
}

const SAMPLES_MS = [
  1_600_000_000_123.4568, 1_600_000_000_000, 1_638_851_971_089.442, 4_102_944_238_884.998, 4_102_444_800_500,
  1, 0.000_5, -1, -250, -1500, -31_536_000_250, -31_536_000_250.000_7, -86_400_000_000.123,
];

describe('timeArg', () => {
  for (const cuts of [false, true]) {
    it(`lands within a microsecond of the wanted time${cuts ? ' where libuv cuts to microseconds' : ''}`, () => {
      for (const ms of SAMPLES_MS) {
        const drift = libuv(timeArg(ms, cuts), cuts) - wanted(ms);
        expect(drift < 1000n && drift > -1000n, `${ms} ms: off by ${drift} ns`).toBe(true);
      }
    });
  }

  it('hands times before 1970 over as strings (Node turns a negative number into "now")', () => {
    expect(typeof timeArg(-1500)).toBe('string');
    expect(typeof timeArg(1500)).toBe('number');
  });

  it('keeps whole microseconds exactly when libuv cuts to them', () => {
    expect(libuv(timeArg(1_638_851_971_089.442, true), true)).toBe(1_638_851_971_089_442_000n);
    expect(libuv(timeArg(-31_536_000_250, true), true)).toBe(-31_536_000_250_000_000n);
    expect(libuv(timeArg(-31_536_000_250.007, true), true)).toBe(-31_536_000_250_007_000n);
  });
});
