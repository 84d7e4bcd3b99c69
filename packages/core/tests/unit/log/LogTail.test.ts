import { describe, expect, it } from 'vitest';
import { createLogger, LOG_TAIL_BYTES, LOG_TAIL_LINES, LogTail } from '../../../src/log/index.js';
import { truncateUtf8 } from '../../../src/log/LogTail.js';

const line = (msg: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ level: 30, time: Date.UTC(2026, 0, 1, 12, 0, 1), msg, ...extra });

describe('LogTail', () => {
  it('keeps only the last maxLines lines, oldest first', () => {
    const tail = new LogTail(3, 10_000);
    for (let i = 1; i <= 5; i++) tail.push(line(`line ${i}`));
    expect(tail.lines().map((l) => JSON.parse(l).msg)).toEqual(['line 3', 'line 4', 'line 5']);
  });

  it('holds fewer lines than its size without inventing any', () => {
    const tail = new LogTail(4, 10_000);
    expect(tail.lines()).toEqual([]);
    expect(tail.text()).toBe('');
    tail.push(line('only'));
    expect(tail.text()).toBe('12:00:01 INFO  only\n');
  });

  it('renders the newest lines that fit maxBytes, in the human format', () => {
    const tail = new LogTail(100, 60);
    for (let i = 1; i <= 5; i++) tail.push(line(`line ${i}`, { n: i }));
    const text = tail.text();
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(60);
    expect(text).toBe('12:00:01 INFO  line 4 n=4\n12:00:01 INFO  line 5 n=5\n');
  });

  it('cuts a newest line longer than maxBytes on a character boundary', () => {
    const tail = new LogTail(10, 32);
    tail.push(line('é'.repeat(100)));
    const text = tail.text();
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(32);
    expect(text.startsWith('12:00:01 INFO  éé')).toBe(true);
    expect(text).not.toContain('\ufffd');
  });

  it('defaults to the documented 100 lines and 10 KiB', () => {
    expect([LOG_TAIL_LINES, LOG_TAIL_BYTES]).toEqual([100, 10 * 1024]);
    const tail = new LogTail();
    for (let i = 0; i < 250; i++) tail.push(line(`n${i}`, { pad: 'x'.repeat(200) }));
    expect(tail.lines()).toHaveLength(100);
    expect(Buffer.byteLength(tail.text())).toBeLessThanOrEqual(10 * 1024);
    expect(tail.text().trimEnd().split('\n').at(-1)).toContain('n249');
  });
});

describe('truncateUtf8', () => {
  it('never splits a character, and leaves short text alone', () => {
    expect(truncateUtf8('abc', 10)).toBe('abc');
    expect(truncateUtf8('aé', 2)).toBe('a');
    expect(truncateUtf8('😀😀', 5)).toBe('😀');
  });
});

describe('createLogger keeps a tail of what it wrote', () => {
  it('holds the written lines, redacted and at the enabled levels only', () => {
    const lines: string[] = [];
    const { logger, tail } = createLogger({
      level: 'info',
      destination: { write: (l: string) => void lines.push(l) },
      tail: { maxLines: 2 },
    });
    logger.debug('hidden');
    logger.info({ password: 'hunter2-secret' }, 'first');
    logger.warn('second');
    logger.error('third');
    expect(tail.lines()).toEqual(lines.slice(-2));
    expect(tail.text()).toMatch(/WARN {2}second\n.*ERROR third\n$/);
    expect(tail.text()).not.toContain('hunter2-secret');
    expect(lines.join('')).not.toContain('hidden');
  });
});
