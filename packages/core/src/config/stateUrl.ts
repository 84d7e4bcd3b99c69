import { secrets } from '../log/redact.js';

const POSTGRES_PROTOCOLS = new Set(['postgres:', 'postgresql:']);

export function isPostgresUrl(value: string): boolean {
  return URL.canParse(value) && POSTGRES_PROTOCOLS.has(new URL(value).protocol);
}

/**
 * Registers the password of a state URL as a secret. `TEMPERED_*` variables are documented as
 * non-secret, so TEMPERED_STATE_URL's value is not masked by its name: its password must be
 * registered here, before the URL can reach a log line, an error or the config summary. Both
 * spellings are masked: the URL's percent-encoded one and the decoded one a driver may quote.
 */
export function registerStateUrlSecrets(value: unknown): void {
  if (typeof value !== 'string' || !URL.canParse(value)) return;
  const url = new URL(value);
  const passwords = [url.password, url.searchParams.get('password') ?? ''];
  for (const password of passwords) {
    if (password === '') continue;
    secrets.addSecret(password);
    secrets.addSecret(safeDecode(password));
  }
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
