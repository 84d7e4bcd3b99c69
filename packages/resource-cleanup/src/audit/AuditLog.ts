import { open } from 'node:fs/promises';
import { DurableAppendFile, secrets } from '@tempered/core';

export interface AuditEntry {
  event: 'deleting' | 'deleted' | 'moved-to-trash' | 'already-gone' | 'changed' | 'failed';
  rule: string;
  provider: string;
  action: string;
  target: string;
  detail?: string | undefined;
  [key: string]: unknown;
}

/**
 * Append-only JSON lines (mode 0600) in the environment's state directory: one line before each
 * deletion and one after, each fsynced (with the directory entry, on the first) before the
 * deletion goes on, so the record of what was deleted survives any crash. Redacted like a log line.
 */
export class AuditLog {
  readonly path: string;
  readonly #bindings: Record<string, unknown>;
  readonly #file: DurableAppendFile;

  constructor(path: string, bindings: Record<string, unknown>) {
    this.path = path;
    this.#bindings = bindings;
    this.#file = new DurableAppendFile(path);
  }

  /**
   * The last line of each of `actions`, read from the end of the log (its last `tailBytes`: an
   * interrupted run's lines are the newest). Unparseable lines (a torn last write) are skipped.
   */
  async lastEntries(
    actions: ReadonlySet<string>,
    tailBytes = 16 * 1024 * 1024,
  ): Promise<Map<string, AuditEntry>> {
    const last = new Map<string, AuditEntry>();
    let text: string;
    try {
      const handle = await open(this.path, 'r');
      try {
        const { size } = await handle.stat();
        const start = Math.max(0, size - tailBytes);
        const buffer = Buffer.alloc(size - start);
        await handle.read(buffer, 0, buffer.length, start);
        text = buffer.toString('utf8');
        // a cut first line is not a whole entry
        if (start > 0) text = text.slice(text.indexOf('\n') + 1);
      } finally {
        await handle.close();
      }
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return last;
      throw error;
    }
    for (const line of text.split('\n')) {
      if (!line) continue;
      let entry: AuditEntry;
      try {
        entry = JSON.parse(line) as AuditEntry;
      } catch {
        continue;
      }
      if (actions.has(entry.action)) last.set(entry.action, entry);
    }
    return last;
  }

  record(entry: AuditEntry): Promise<void> {
    const line = `${JSON.stringify(secrets.redact({ time: new Date().toISOString(), ...this.#bindings, ...entry }))}\n`;
    return this.#file.append(line);
  }
}
