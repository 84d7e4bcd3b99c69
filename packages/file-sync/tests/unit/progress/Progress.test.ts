import { describe, expect, it } from 'vitest';
import { Progress } from '../../../src/progress/Progress.js';

function sink(isTTY: boolean) {
  const writes: string[] = [];
  return { writes, stream: { isTTY, columns: 100, write: (text: string) => writes.push(text) } };
}

describe('Progress', () => {
  it('draws files and bytes against the totals on a TTY, and erases itself at the end', () => {
    const { writes, stream } = sink(true);
    const progress = new Progress(stream, { files: 4, bytes: 2048 }, { env: { TERM: 'xterm' } });

    progress.advance(1, 1024);
    progress.draw();
    progress.stop();

    expect(writes[0]).toBe('\r[############------------] 1/4 files, 1 KiB/2 KiB\u001b[K');
    expect(writes[1]).toBe('\r\u001b[K');
  });

  it('draws nothing without a TTY (cron): no escape codes, no carriage returns', () => {
    const { writes, stream } = sink(false);
    const progress = new Progress(stream, { files: 1, bytes: 1 });

    progress.start();
    progress.advance(1, 1);
    progress.draw();
    progress.stop();

    expect(writes).toEqual([]);
    expect(progress.done).toEqual({ files: 1, bytes: 1 });
  });

  it.each([{ TERM: 'dumb' }, { NO_COLOR: '1' }])('draws nothing on a TTY with %j', (env) => {
    const { writes, stream } = sink(true);
    const progress = new Progress(stream, { files: 1, bytes: 1 }, { env });

    progress.start();
    progress.advance(1, 1);
    progress.draw();
    progress.stop();

    expect(writes).toEqual([]);
  });
});
