/** Every HttpClient option that has a default; the constructor merges over this once. */
export const HTTP_DEFAULTS = {
  connectTimeoutMs: 10_000,
  headersTimeoutMs: 30_000,
  bodyTimeoutMs: 30_000,
  concurrency: 8,
} as const;

/** Methods that may change state on the server; they carry the caller's Idempotency-Key. */
export const UNSAFE_METHODS: ReadonlySet<string> = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** Unsafe and not idempotent either (RFC 9110 §9.2.2): a second copy may be a second side effect. */
export const NON_IDEMPOTENT_METHODS: ReadonlySet<string> = new Set(['POST', 'PATCH']);

/** Failures that prove the request never left this machine, so even a POST may be sent again. */
export const NOT_SENT_ERROR_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'UND_ERR_CONNECT_TIMEOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
]);
