import { humanFormat } from './humanFormat.js';

/** What the closing heartbeat ping carries: the last 100 lines of the run's log, at most 10 KiB. */
export const LOG_TAIL_LINES = 100;
export const LOG_TAIL_BYTES = 10 * 1024;

const encoder = new TextEncoder();

/** The longest prefix of `text` that fits `maxBytes` of UTF-8, never cutting a character in two. */
export function truncateUtf8(text: string, maxBytes: number): string {
  if (text.length * 3 <= maxBytes) return text;
  const { read } = encoder.encodeInto(text, new Uint8Array(maxBytes));
  return text.slice(0, read);
}

/**
 * A bounded ring of the run's last log lines, as they were written (JSON, already redacted), so
 * a monitor can show why a run failed without anyone logging in to read the log. Memory stays
 * bounded whatever a run logs: at most `maxLines` lines of at most `maxBytes` each.
 */
export class LogTail {
  /** Lines as written; one too long to keep whole is kept formatted and cut (`cut: true`). */
  readonly #lines: ({ line: string; cut: boolean } | undefined)[];
  #next = 0;
  #count = 0;

  constructor(
    readonly maxLines = LOG_TAIL_LINES,
    readonly maxBytes = LOG_TAIL_BYTES,
  ) {
    this.#lines = new Array(Math.max(1, maxLines));
  }

  push(line: string): void {
    // formatting is left to text(), which most runs never call; only an oversized line pays now
    const cut = line.length > this.maxBytes;
    this.#lines[this.#next] = cut
      ? { line: `${truncateUtf8(format(line), this.maxBytes - 1).trimEnd()}\n`, cut }
      : { line, cut };
    this.#next = (this.#next + 1) % this.#lines.length;
    this.#count = Math.min(this.#count + 1, this.#lines.length);
  }

  /** The lines held, oldest first, as written (an oversized one formatted and cut). */
  lines(): string[] {
    return this.#entries().map((entry) => entry.line);
  }

  #entries(): { line: string; cut: boolean }[] {
    const out: { line: string; cut: boolean }[] = [];
    const start = (this.#next - this.#count + this.#lines.length) % this.#lines.length;
    for (let i = 0; i < this.#count; i++) {
      out.push(this.#lines[(start + i) % this.#lines.length] as { line: string; cut: boolean });
    }
    return out;
  }

  /**
   * The newest lines that fit `maxBytes` together, oldest first, in the human format (a person
   * reads them in the monitor's web page). A newest line too long on its own is cut to fit.
   */
  text(): string {
    const picked: string[] = [];
    let bytes = 0;
    const entries = this.#entries();
    for (let i = entries.length - 1; i >= 0; i--) {
      const { line, cut } = entries[i] as { line: string; cut: boolean };
      const formatted = cut ? line : format(line);
      const size = Buffer.byteLength(formatted);
      if (bytes + size > this.maxBytes) {
        if (picked.length === 0) picked.push(`${truncateUtf8(formatted, this.maxBytes - 1).trimEnd()}\n`);
        break;
      }
      picked.push(formatted);
      bytes += size;
    }
    return picked.reverse().join('');
  }
}

function format(line: string): string {
  const text = humanFormat(line);
  return text.endsWith('\n') ? text : `${text}\n`;
}
