import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { UsageError } from '../errors/index.js';
import { type Logger, secrets, silentLogger } from '../log/index.js';
import type { Counters } from '../metrics/types.js';
import type { RetryPolicy } from '../retry/index.js';
import { durationSchema, resolveRetryPolicy } from '../retry/policy.js';
import { HTTP_DEFAULTS } from './constants.js';
import type { HttpAuth, HttpClientOptions } from './types.js';
import { parseHttpUrl, type UrlCredentials } from './url.js';

export interface ResolvedHttpOptions {
  baseUrl: URL | undefined;
  /** Lower-cased names; user-agent and authorization included. */
  headers: Record<string, string>;
  connectTimeoutMs: number;
  headersTimeoutMs: number;
  bodyTimeoutMs: number;
  concurrency: number;
  rateLimitPerSecond: number | undefined;
  retry: RetryPolicy;
  logger: Logger;
  counters: Counters | undefined;
  /** Default cap on a response body read, in bytes; undefined: none. */
  maxBodyBytes: number | undefined;
}

const optionsSchema = z.strictObject({
  baseUrl: z.union([z.string(), z.instanceof(URL)]).optional(),
  headers: z.record(z.string(), z.string()).optional(),
  connectTimeoutMs: durationSchema(1).optional(),
  headersTimeoutMs: durationSchema(1).optional(),
  bodyTimeoutMs: durationSchema(1).optional(),
  // resolveRetryPolicy checks it, with messages that name its keys
  retry: z.unknown().optional(),
  concurrency: z.number().int().min(1).optional(),
  rateLimitPerSecond: z.number().positive().finite().optional(),
  logger: z.unknown().optional(),
  counters: z.unknown().optional(),
  userAgent: z.string().min(1).optional(),
  maxBodyBytes: z.number().int().min(0).optional(),
  auth: z
    .union([
      z.strictObject({ username: z.string(), password: z.string() }),
      z.strictObject({ token: z.string().min(1) }),
    ])
    .optional(),
});

/** Validates once, in the constructor. Messages name keys only: values may be secrets. */
export function resolveHttpOptions(options: HttpClientOptions): ResolvedHttpOptions {
  const parsed = optionsSchema.safeParse(options);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) =>
      issue.code === 'unrecognized_keys'
        ? `${issue.path.map((key) => `${String(key)}.`).join('')}${issue.keys.join(', ')}: unknown option${issue.keys.length > 1 ? 's' : ''}`
        : `${issue.path.join('.')}: ${issue.message}`,
    );
    throw new UsageError(`invalid HttpClient options: ${problems.join('; ')}`);
  }
  const data = parsed.data;
  const base = data.baseUrl === undefined ? undefined : parseHttpUrl(data.baseUrl, 'HttpClient baseUrl');
  const auth: HttpAuth | undefined = data.auth ?? base?.credentials;
  const headers: Record<string, string> = { 'user-agent': data.userAgent ?? defaultUserAgent() };
  for (const [name, value] of Object.entries(data.headers ?? {})) headers[name.toLowerCase()] = value;
  if (auth) headers.authorization = authorization(auth);
  return {
    baseUrl: base?.url,
    headers,
    connectTimeoutMs: data.connectTimeoutMs ?? HTTP_DEFAULTS.connectTimeoutMs,
    headersTimeoutMs: data.headersTimeoutMs ?? HTTP_DEFAULTS.headersTimeoutMs,
    bodyTimeoutMs: data.bodyTimeoutMs ?? HTTP_DEFAULTS.bodyTimeoutMs,
    concurrency: data.concurrency ?? HTTP_DEFAULTS.concurrency,
    rateLimitPerSecond: data.rateLimitPerSecond,
    retry: resolveRetryPolicy(options.retry),
    logger: options.logger ?? silentLogger(),
    counters: options.counters,
    maxBodyBytes: data.maxBodyBytes,
  };
}

/** The header value; the secret parts are registered first, so no log or error can print them. */
export function authorization(auth: HttpAuth | UrlCredentials): string {
  if ('token' in auth) {
    secrets.addSecret(auth.token);
    return `Bearer ${auth.token}`;
  }
  const encoded = Buffer.from(`${auth.username}:${auth.password}`).toString('base64');
  secrets.addSecret(auth.password);
  secrets.addSecret(encoded);
  return `Basic ${encoded}`;
}

let userAgent: string | undefined;

function defaultUserAgent(): string {
  if (userAgent === undefined) {
    let version = '0.0.0';
    try {
      // two levels up from both src/http and dist/http
      const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
        version?: unknown;
      };
      if (typeof pkg.version === 'string') version = pkg.version;
    } catch {
      // a bundled copy without its package.json still works, with an honest placeholder
    }
    userAgent = `tempered/${version}`;
  }
  return userAgent;
}
