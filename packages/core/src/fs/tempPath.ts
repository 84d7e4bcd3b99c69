import { randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';

// leaves room for the suffix under the usual 255-byte name limit
const MAX_BASE_LENGTH = 200;

/**
 * A hidden, unique sibling of `path`. Same directory means same filesystem, which is what makes
 * the final rename (or link) atomic; the pid in the name tells an operator whose leftover it is.
 * @internal
 */
export function tempPathFor(path: string, kind = 'tmp'): string {
  const base = basename(path).slice(0, MAX_BASE_LENGTH);
  return join(dirname(path), `.${base}.${kind}-${process.pid}-${randomBytes(6).toString('hex')}`);
}
