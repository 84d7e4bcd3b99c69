// 100,000 (or argv[3]) JSON lines with 5 keys through @tempered/core's logger, redaction on.

import { createLogger, secrets } from '@tempered/core/log';
import pino from 'pino';

const [file, count = '100000'] = process.argv.slice(2);
secrets.addSecret('bench-secret-value');
const destination = pino.destination({ dest: file, sync: true });
const { logger } = createLogger({
  destination,
  bindings: { cli: 'bench', command: 'log', environment: 'default', run_id: 'r1' },
});
for (let i = 0; i < Number(count); i++) {
  logger.info(
    { file: `dir/file-${i}.txt`, bytes: i * 7, attempt: 1, password: 'hunter2', ok: true },
    'file copied',
  );
}
destination.flushSync();
