import { formatBytes } from '@tempered/core';

export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface ProgressTotals {
  files: number;
  bytes: number;
}

export interface ProgressOptions {
  /** Redraw at most this often (TTY). Default 100 ms. */
  intervalMs?: number;
  /** Without a TTY: called this often with the counts (a JSON log line), if given. */
  onTick?: (done: ProgressTotals) => void;
  /** Without a TTY: default 30 s. */
  tickMs?: number;
  /** Where TERM and NO_COLOR are read; default process.env. */
  env?: NodeJS.ProcessEnv;
}

const BAR_WIDTH = 24;

/**
 * Files and bytes done against the plan's totals. On a TTY: one bar line on stderr, redrawn in
 * place and erased at the end; anywhere else nothing is drawn (cron gets JSON log lines only).
 */
export class Progress {
  readonly #done: ProgressTotals = { files: 0, bytes: 0 };
  #timer: NodeJS.Timeout | undefined;
  #drawn = false;

  constructor(
    private readonly stream: ProgressStream,
    private readonly totals: ProgressTotals,
    private readonly options: ProgressOptions = {},
  ) {}

  /** A bar redraws with escape codes: a TTY only, and not one that says it cannot take them. */
  get enabled(): boolean {
    const env = this.options.env ?? process.env;
    return this.stream.isTTY === true && env.TERM !== 'dumb' && !env.NO_COLOR;
  }

  start(): void {
    if (this.#timer) return;
    if (this.enabled) {
      this.draw();
      this.#timer = setInterval(() => this.draw(), this.options.intervalMs ?? 100);
    } else if (this.options.onTick) {
      const tick = this.options.onTick;
      this.#timer = setInterval(() => tick({ ...this.#done }), this.options.tickMs ?? 30_000);
    }
    this.#timer?.unref();
  }

  advance(files: number, bytes: number): void {
    this.#done.files += files;
    this.#done.bytes += bytes;
  }

  get done(): ProgressTotals {
    return { ...this.#done };
  }

  /** The bar as text, e.g. `[######------] 120/400 files, 1.2 MiB/4 MiB`. */
  line(): string {
    const { files, bytes } = this.#done;
    const fraction =
      this.totals.bytes > 0
        ? Math.min(1, bytes / this.totals.bytes)
        : this.totals.files > 0
          ? Math.min(1, files / this.totals.files)
          : 1;
    const filled = Math.round(fraction * BAR_WIDTH);
    const bar = `[${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}]`;
    return `${bar} ${files}/${this.totals.files} files, ${formatBytes(bytes)}/${formatBytes(this.totals.bytes)}`;
  }

  draw(): void {
    if (!this.enabled) return;
    const width = Math.max(20, (this.stream.columns || 80) - 1);
    this.stream.write(`\r${this.line().slice(0, width)}\u001b[K`);
    this.#drawn = true;
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    if (this.#drawn) this.stream.write('\r\u001b[K');
    this.#drawn = false;
  }
}
