import { mkdir, open } from 'node:fs/promises';
import { dirname } from 'node:path';
import { fsyncDir } from './fsyncDir.js';

export interface DurableAppendFileOptions {
  /** Mode of the file when this creates it. Default 0600. */
  mode?: number;
  /** Mode of missing parent directories. Default 0700. */
  dirMode?: number;
}

/**
 * An append-only record (a journal, an audit log): appends land in call order even when callers
 * do not await, a durable append is fsynced before it resolves, and the first durable one also
 * fsyncs the parent directory, so a crash cannot lose the file a record was fsynced into.
 * A failed append rejects its caller and leaves later appends free to go on.
 */
export class DurableAppendFile {
  readonly path: string;
  readonly #mode: number;
  readonly #dirMode: number;
  #queue: Promise<void> = Promise.resolve();
  #dirReady = false;
  #entrySynced = false;

  constructor(path: string, options: DurableAppendFileOptions = {}) {
    this.path = path;
    this.#mode = options.mode ?? 0o600;
    this.#dirMode = options.dirMode ?? 0o700;
  }

  /** `text` may be a function, called when this append's turn comes (e.g. to add a header once). */
  append(text: string | (() => string), options: { durable?: boolean } = {}): Promise<void> {
    const durable = options.durable ?? true;
    const write = async () => {
      if (!this.#dirReady) {
        await mkdir(dirname(this.path), { recursive: true, mode: this.#dirMode });
        this.#dirReady = true;
      }
      const handle = await open(this.path, 'a', this.#mode);
      try {
        await handle.writeFile(typeof text === 'function' ? text() : text);
        if (durable) await handle.sync();
      } finally {
        await handle.close();
      }
      if (durable && !this.#entrySynced) {
        await fsyncDir(dirname(this.path));
        this.#entrySynced = true;
      }
    };
    const done = this.#queue.then(write);
    this.#queue = done.catch(() => undefined);
    return done;
  }
}
