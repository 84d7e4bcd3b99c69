import { describe, expect, it } from 'vitest';
import { decodeName, encodeName, fsPath, hasEscapedBytes, mayBeLossy } from '../../../src/tree/fsName.js';

describe('file names as bytes', () => {
  it('decodes valid UTF-8 to the usual string, so the common path needs no Buffer', () => {
    const name = 'ünïcødé ファイル 😀.txt';
    expect(decodeName(Buffer.from(name))).toBe(name);
    expect(fsPath(name)).toBe(name);
    expect(hasEscapedBytes(name)).toBe(false);
  });

  it('round-trips bytes that are not UTF-8, each to one lone surrogate and back', () => {
    const samples = [
      [0x66, 0xff, 0xfe],
      [0xc3], // a lead byte cut short
      [0xe2, 0x82], // a truncated three-byte sequence
      [0xc0, 0xaf], // an overlong slash
      [0xed, 0xa0, 0x80], // a UTF-16 surrogate encoded in UTF-8
      [0xf4, 0x90, 0x80, 0x80], // past U+10FFFF
      [0x61, 0x80, 0xe2, 0x82, 0xac, 0x80, 0x62], // valid euro sign between stray bytes
    ];
    for (const bytes of samples) {
      const raw = Buffer.from(bytes);
      const name = decodeName(raw);
      expect(hasEscapedBytes(name), raw.toString('hex')).toBe(true);
      expect(encodeName(name).equals(raw), raw.toString('hex')).toBe(true);
      expect(Buffer.isBuffer(fsPath(`dir/${name}`))).toBe(true);
    }
    expect(decodeName(Buffer.from([0x61, 0x80, 0xe2, 0x82, 0xac]))).toBe('a\udc80€');
  });

  it('every byte string of up to two bytes round-trips', () => {
    for (let a = 0; a < 256; a++) {
      for (let b = 0; b < 256; b += 3) {
        const raw = Buffer.from([a, b]);
        expect(encodeName(decodeName(raw)).equals(raw), raw.toString('hex')).toBe(true);
      }
    }
  });

  it('tells when Node may have replaced bytes', () => {
    expect(mayBeLossy(Buffer.from([0x66, 0xff]).toString())).toBe(true);
    expect(mayBeLossy('plain')).toBe(false);
  });
});
