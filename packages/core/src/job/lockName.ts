import { createHash } from 'node:crypto';
import { secrets } from '../log/index.js';

/** Lock and journal names are file names in the file store; keep them short and safe. */
export function lockNameFor(target: string): string {
  // the readable part never carries credentials or a query: it ends up in a file name
  const readable = target.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/@]*@/i, '').replace(/[?#].*$/, '');
  const slug = (secrets.redactString(readable) === readable ? readable : '')
    .replace(/[^A-Za-z0-9._-]+/g, '_')
    .replace(/^[._]+/, '')
    .slice(-60);
  return `${slug || 'target'}-${createHash('sha256').update(target).digest('hex').slice(0, 12)}`;
}
