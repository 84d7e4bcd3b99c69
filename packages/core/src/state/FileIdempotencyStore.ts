import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { ConflictError, InternalError } from '../errors/index.js';
import { atomicWriteFile, writeFileExclusive } from '../fs/index.js';
import type { Logger } from '../log/index.js';
import { assertClaimTtl } from './checkRecords.js';
import { RACE, STATE_DEFAULTS } from './constants.js';
import { IdempotencyInProgressError, IdempotencyPayloadMismatchError } from './errors.js';
import { ensureDir, fileNameFor, listNames, readTextIfExists } from './files.js';
import { replaceIfUnchanged } from './replaceIfUnchanged.js';
import type {
  IdempotencyBeginOptions,
  IdempotencyBeginResult,
  IdempotencyRecord,
  IdempotencyStore,
} from './types.js';

/** @internal */
export interface FileIdempotencyOptions {
  dir: string;
  runId: string;
  logger: Logger;
  now: () => number;
}

/**
 * One JSON file per key. Claims are created whole and exclusively (link), so two processes
 * beginning the same key cannot both get `new`; an expired record is swapped out through
 * replaceIfUnchanged, so two processes taking it over cannot both win either.
 * @internal
 */
export class FileIdempotencyStore implements IdempotencyStore {
  readonly #options: FileIdempotencyOptions;
  /** Claims made by this process, so complete/fail never touch a record someone took over. */
  readonly #claims = new Map<string, IdempotencyRecord>();

  constructor(options: FileIdempotencyOptions) {
    this.#options = options;
  }

  async begin(
    key: string,
    payloadHash: string,
    options: IdempotencyBeginOptions,
  ): Promise<IdempotencyBeginResult> {
    assertClaimTtl(options.ttlMs);
    const path = this.#path(key);
    await ensureDir(this.#options.dir);
    for (let attempt = 0; attempt < RACE.attempts; attempt++) {
      const now = this.#options.now();
      const claim: IdempotencyRecord = {
        key,
        status: 'in-progress',
        payloadHash,
        runId: options.runId ?? this.#options.runId,
        token: randomUUID(),
        createdAt: new Date(now).toISOString(),
        expiresAt: new Date(now + options.ttlMs).toISOString(),
        retainMs: options.retainMs ?? STATE_DEFAULTS.idempotencyRetainMs,
      };
      const content = serialize(claim);
      if (await writeFileExclusive(path, content)) return this.#claimed(claim);

      const raw = await readTextIfExists(path);
      if (raw === undefined) continue;
      const existing = parseRecord(raw);
      if (existing && Date.parse(existing.expiresAt) > now) {
        // a different payload is the more useful answer: waiting would not fix it
        if (existing.payloadHash !== payloadHash) throw new IdempotencyPayloadMismatchError(key, existing);
        if (existing.status === 'completed') return { state: 'completed', result: existing.result };
        throw new IdempotencyInProgressError(key, existing);
      }
      if (await replaceIfUnchanged(path, raw, content)) {
        if (existing?.status !== 'completed') {
          this.#options.logger.warn(
            { key, previous: existing ?? 'unreadable' },
            'took over expired idempotency claim',
          );
        }
        return this.#claimed(claim);
      }
      await delay(RACE.delayMs);
    }
    throw new ConflictError(`idempotency record ${key} keeps changing hands; retry later`);
  }

  async complete(key: string, result?: unknown): Promise<void> {
    const path = this.#path(key);
    const raw = await readTextIfExists(path);
    const existing = raw === undefined ? undefined : parseRecord(raw);
    const ours = this.#claims.get(key);
    const base = ours ?? (existing?.status === 'in-progress' ? existing : undefined);
    if (!base) throw new InternalError(`idempotency record ${key} was never begun; call begin() first`);
    if (existing?.token !== base.token) {
      // the work is done either way; recording it stops a third run from doing it again
      this.#options.logger.warn(
        { key, current: existing },
        'idempotency claim was taken over; recording completion anyway',
      );
    }
    const now = this.#options.now();
    const completed: IdempotencyRecord = {
      ...base,
      status: 'completed',
      completedAt: new Date(now).toISOString(),
      expiresAt: new Date(now + base.retainMs).toISOString(),
      ...(result === undefined ? {} : { result }),
    };
    await atomicWriteFile(path, serialize(completed));
    this.#claims.delete(key);
  }

  async fail(key: string): Promise<void> {
    const path = this.#path(key);
    const ours = this.#claims.get(key);
    this.#claims.delete(key);
    const raw = await readTextIfExists(path);
    if (raw === undefined) return;
    const existing = parseRecord(raw);
    if (existing?.status === 'completed') return;
    if (ours && existing && existing.token !== ours.token) return;
    await replaceIfUnchanged(path, raw, undefined);
  }

  async prune(): Promise<number> {
    const now = this.#options.now();
    let removed = 0;
    for (const name of await listNames(this.#options.dir)) {
      if (name.startsWith('.') || !name.endsWith('.json')) continue;
      const path = join(this.#options.dir, name);
      const raw = await readTextIfExists(path);
      if (raw === undefined) continue;
      const record = parseRecord(raw);
      if (record && Date.parse(record.expiresAt) > now) continue;
      if (await replaceIfUnchanged(path, raw, undefined)) removed += 1;
    }
    return removed;
  }

  #claimed(claim: IdempotencyRecord): IdempotencyBeginResult {
    this.#claims.set(claim.key, claim);
    return { state: 'new' };
  }

  #path(key: string): string {
    return join(this.#options.dir, `${fileNameFor(key, 'idempotency key')}.json`);
  }
}

function serialize(record: IdempotencyRecord): string {
  return `${JSON.stringify(record)}\n`;
}

/** undefined for a corrupt record, which begin() then treats as expired rather than wedging the key. */
function parseRecord(raw: string): IdempotencyRecord | undefined {
  try {
    const value = JSON.parse(raw) as Partial<IdempotencyRecord>;
    if (value.status !== 'in-progress' && value.status !== 'completed') return undefined;
    if (typeof value.payloadHash !== 'string' || typeof value.expiresAt !== 'string') return undefined;
    if (Number.isNaN(Date.parse(value.expiresAt)) || typeof value.token !== 'string') return undefined;
    return value as IdempotencyRecord;
  } catch {
    return undefined;
  }
}
