/**
 * Redaction, in one place, used by the logger, the HTTP client, error output and state files.
 * Two rules: values under keys that look secret, and values known to be secret (registered by
 * config when it reads a secret env var, a *_FILE or a key marked secret) are replaced by
 * `[REDACTED]` wherever they appear, including inside messages, URLs and error stacks.
 */
import { encodedForms } from './secretForms.js';

export const REDACTED = '[REDACTED]';

/** Keys whose values are never printed, at any depth, case-insensitive. */
export const SECRET_KEY_PATTERN =
  /pass(word|wd|phrase)?$|^pwd$|secret|token|authorization|cookie|api[-_]?key|private[-_]?key|credential|access[-_]?key|signature|^auth$|session[-_]?id/i;

const URL_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)([^/\s?#@]+)@/gi;
const QUERY_SECRET =
  /([?&;](?:access_token|refresh_token|id_token|token|password|passwd|pwd|secret|client_secret|api_key|apikey|key|signature|sig|auth|x-amz-signature|x-amz-credential)=)[^&#\s"']*/gi;
const AUTH_SCHEME = /\b(Bearer|Basic|Token)\s+[A-Za-z0-9._~+/=-]{6,}/g;
/** Shorter values are never masked: a masker that hides "1" or "dev" ruins every line. */
const MIN_SECRET_LENGTH = 4;
/** Values that are words of configuration, not secrets, whatever variable holds them (`AUTH_ENABLED=true`). */
const NOT_SECRETS = new Set(['true', 'false', 'null', 'none', 'undefined', 'enabled', 'disabled']);

/**
 * Name parts that mark an environment variable as secret. A name is split into parts at `_`
 * (and `-`, `.`), case-insensitive. These words count inside a part too (DBPASSWORD, APITOKEN):
 */
const SECRET_NAME_WORDS = ['PASSWORD', 'PASSWD', 'PASSPHRASE', 'SECRET', 'TOKEN', 'CREDENTIAL'];
/** ...these only as a whole part, so AUTHOR, OAUTHLIB, BYPASS or KEYBOARD are not secrets: */
const SECRET_NAME_PARTS = new Set(['AUTH', 'APIKEY', 'PRIVATEKEY', 'PASS', 'PW', 'PWD', 'COOKIE', 'DSN']);
/** The shell's working directories: a PWD part marks a password anywhere else (MYSQL_PWD). */
const NOT_SECRET_NAMES = new Set(['PWD', 'OLDPWD']);
/** ...and these as two parts in a row. */
const SECRET_NAME_PAIRS = [
  ['API', 'KEY'],
  ['PRIVATE', 'KEY'],
];

/**
 * Whether an environment variable's name marks its value as a secret (DB_PASSWORD, DB_PASS,
 * MYSQL_PWD, GITHUB_TOKEN, NPM_AUTH, STRIPE_KEY, SSH_PRIVATE_KEY, SENTRY_DSN, SESSION_COOKIE), by
 * the parts of its name above, or a last part KEY. Callers add the names an operator lists; our own TEMPERED_* settings are not secrets.
 */
export function isSecretEnvName(name: string): boolean {
  const upper = name.toUpperCase();
  if (NOT_SECRET_NAMES.has(upper)) return false;
  const parts = upper.split(/[_.-]+/);
  // a name ending in KEY (STRIPE_KEY, SIGNING_KEY, APP_KEY) holds one; AWS_ACCESS_KEY_ID does not
  if (parts.length > 1 && parts.at(-1) === 'KEY') return true;
  return parts.some(
    (part, index) =>
      SECRET_NAME_PARTS.has(part) ||
      SECRET_NAME_WORDS.some((word) => part.includes(word)) ||
      SECRET_NAME_PAIRS.some(([first, second]) => part === first && parts[index + 1] === second),
  );
}
/** Log lines repeat the same few keys: classifying each once keeps the key rule off the hot path. */
const KEY_CACHE_LIMIT = 2048;
const keyVerdicts = new Map<string, boolean>();

function isSecretKeyCached(key: string): boolean {
  let verdict = keyVerdicts.get(key);
  if (verdict === undefined) {
    verdict = SECRET_KEY_PATTERN.test(key);
    if (keyVerdicts.size < KEY_CACHE_LIMIT) keyVerdicts.set(key, verdict);
  }
  return verdict;
}

export class Redactor {
  /** The values registered, and (below) every form of them that is masked. */
  readonly #values = new Set<string>();
  readonly #secrets = new Set<string>();
  #ordered: string[] = [];

  /**
   * Registers a value that must never be printed. Values shorter than MIN_SECRET_LENGTH and
   * words like `true` are ignored: masking them would blank harmless text everywhere.
   */
  addSecret(value: unknown): void {
    if (typeof value !== 'string' && typeof value !== 'number') return;
    const text = String(value);
    if (text.length < MIN_SECRET_LENGTH || NOT_SECRETS.has(text.toLowerCase()) || this.#values.has(text)) {
      return;
    }
    this.#values.add(text);
    // a key file is printed line by line (a hook's output is read that way): mask each line too
    if (text.includes('\n')) for (const line of text.split(/\r?\n/)) this.addSecret(line.trim());
    this.#secrets.add(text);
    for (const form of encodedForms(text)) this.#secrets.add(form);
    // longest first, so a secret that contains another is removed whole
    this.#ordered = [...this.#secrets].sort((a, b) => b.length - a.length);
  }

  get size(): number {
    return this.#secrets.size;
  }

  clear(): void {
    this.#values.clear();
    this.#secrets.clear();
    this.#ordered = [];
  }

  isSecretKey(key: string): boolean {
    return isSecretKeyCached(key);
  }

  redactString(text: string): string {
    let out = text;
    for (const secret of this.#ordered) {
      if (out.includes(secret)) out = out.split(secret).join(REDACTED);
    }
    if (out.includes('://')) out = out.replace(URL_USERINFO, `$1${REDACTED}@`);
    if (out.includes('=')) out = out.replace(QUERY_SECRET, `$1${REDACTED}`);
    if (out.includes('Bearer') || out.includes('Basic') || out.includes('Token')) {
      out = out.replace(AUTH_SCHEME, `$1 ${REDACTED}`);
    }
    return out;
  }

  /**
   * Returns a redacted deep copy. Errors become plain objects (type, message, code, and stack
   * when `withStack`), so messages and stacks go through the same rules as everything else.
   */
  redact<T>(value: T, options: { withStack?: boolean } = {}): T {
    return this.#walk(value, options.withStack ?? false, []) as T;
  }

  /** `path` holds the objects above this one: an object met twice side by side is not a cycle. */
  #walk(value: unknown, withStack: boolean, path: object[]): unknown {
    if (typeof value === 'string') return this.redactString(value);
    if (value === null || typeof value !== 'object') return value;
    if (path.length > 12) return '[Depth]';
    if (path.includes(value)) return '[Circular]';
    path.push(value);
    try {
      return this.#walkObject(value, withStack, path);
    } finally {
      path.pop();
    }
  }

  #walkObject(value: object, withStack: boolean, path: object[]): unknown {
    if (value instanceof Error) return this.#error(value, withStack, path);
    if (value instanceof URL) return this.redactString(value.href);
    if (value instanceof Date) return value.toISOString();
    if (Array.isArray(value)) return value.map((item) => this.#walk(item, withStack, path));
    if (value instanceof Map) return this.#walkObject(Object.fromEntries(value), withStack, path);
    const source = value as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(source)) {
      const child = source[key];
      out[key] =
        child !== undefined && child !== null && typeof child !== 'boolean' && isSecretKeyCached(key)
          ? REDACTED
          : this.#walk(child, withStack, path);
    }
    return out;
  }

  #error(error: Error, withStack: boolean, path: object[]): Record<string, unknown> {
    const out: Record<string, unknown> = { type: error.name, message: this.redactString(error.message) };
    const extra = error as unknown as Record<string, unknown>;
    for (const key of ['code', 'exitCode', 'status', 'hint', 'file', 'keyPath']) {
      if (extra[key] !== undefined) out[key] = this.#walk(extra[key], withStack, path);
    }
    if (withStack && error.stack) out.stack = this.redactString(error.stack);
    if (error.cause !== undefined) out.cause = this.#walk(error.cause, withStack, path);
    return out;
  }
}

/**
 * The process-wide registry. Config registers secrets here as it reads them, so every logger,
 * HTTP log line and error message printed afterwards is covered without passing it around.
 */
export const secrets = new Redactor();

export function redactUrl(url: string | URL): string {
  return secrets.redactString(typeof url === 'string' ? url : url.href);
}

/** Header values of secret-looking names become [REDACTED]; the rest go through value rules. */
export function redactHeaders(
  headers: Record<string, string | string[] | undefined>,
): Record<string, string | string[] | undefined> {
  const out: Record<string, string | string[] | undefined> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    out[name] =
      isSecretKeyCached(name) || /^(proxy-)?authori[sz]ation$|^x-api-key$/i.test(name)
        ? REDACTED
        : Array.isArray(value)
          ? value.map((v) => secrets.redactString(v))
          : secrets.redactString(value);
  }
  return out;
}
