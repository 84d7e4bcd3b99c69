// One of N concurrent writers of the state suite: opens a state store (file or PostgreSQL) as a
// run does, holds its own lock (so PostgreSQL writes are fenced by a lease, as in a real run),
// says "ready", waits for "go" on stdin, then begins and completes `count` distinct idempotency
// keys one after another. Prints {"start","end","records"} (CLOCK_MONOTONIC ns, shared by all
// processes on Linux), so the parent times the writes alone, without process start or connect.
//
// argv: <file|postgres> <state dir or url> <writer index> <count> <key prefix>

import { createInterface } from 'node:readline';
import { currentLockOwner, hashPayload, silentLogger } from '@tempered/core';
// not part of core's public entry points: the benchmark opens stores the way TemperedCommand does
import { openStateStore } from '../../../packages/core/dist/state/openStateStore.js';

const [backend, where, index, count, prefix] = process.argv.slice(2);
const records = Number(count);
const runId = `bench-${prefix}-w${index}`;
const state = backend === 'postgres' ? { backend: 'postgres', url: where } : { backend: 'file', root: where };
const store = await openStateStore({
  state,
  cli: 'bench',
  environment: 'default',
  runId,
  logger: silentLogger(),
  forWriting: true,
});
const lock = await store.acquireLock(`writer-${index}`, { owner: currentLockOwner(runId, 'bench') });
const payload = hashPayload({ bench: 'state' });

process.stdout.write('ready\n');
const lines = createInterface({ input: process.stdin });
await new Promise((resolve) => lines.once('line', resolve));
lines.close();

const key = (i) => `${prefix}-w${index}-${i}`;
const start = process.hrtime.bigint();
for (let i = 0; i < records; i++) {
  const begun = await store.idempotency.begin(key(i), payload, { ttlMs: 60_000 });
  if (begun.state !== 'new') throw new Error(`${key(i)}: expected a new claim, got ${begun.state}`);
  await store.idempotency.complete(key(i), { i });
}
const end = process.hrtime.bigint();

// a fast wrong answer is not a result: a repeat of the first key must see its completion
const repeat = await store.idempotency.begin(key(0), payload, { ttlMs: 60_000 });
if (repeat.state !== 'completed' || repeat.result?.i !== 0)
  throw new Error(`${key(0)}: a repeat saw ${JSON.stringify(repeat)}, not the completed record`);
await lock.release();
await store.close?.();
process.stdout.write(`${JSON.stringify({ start: String(start), end: String(end), records })}\n`);
