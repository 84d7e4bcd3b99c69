// The reference: raw pino writing the same lines to the same kind of destination, with its own
// path-based redaction of the one secret key.
import pino from 'pino';

const [file, count = '100000'] = process.argv.slice(2);
const destination = pino.destination({ dest: file, sync: true });
const logger = pino(
  { base: { cli: 'bench', command: 'log', environment: 'default', run_id: 'r1' }, redact: ['password'] },
  destination,
);
for (let i = 0; i < Number(count); i++) {
  logger.info(
    { file: `dir/file-${i}.txt`, bytes: i * 7, attempt: 1, password: 'hunter2', ok: true },
    'file copied',
  );
}
destination.flushSync();
