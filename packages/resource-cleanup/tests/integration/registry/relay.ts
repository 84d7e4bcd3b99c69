/**
 * What the testkit's fault server (`startFaultServer`) does not do itself for the registry tests:
 * relay a request upstream with rewritten headers (a bearer gate in front of a basic-auth registry)
 * and remember the upstream's answer status, so a test can assert what really went through.
 * Faults (429 with Retry-After, 503, resets, held requests) and request counters are the testkit's.
 */
import type { FaultHandler, FaultRequest, FaultServer, ReplyStep } from '@tempered/testkit';

export interface Forwarded {
  method: string;
  path: string;
  status: number;
}

export interface RelayOptions {
  /** Every relayed request and the upstream's answer status, in order. */
  forwarded?: Forwarded[];
  /** The headers sent upstream (e.g. the registry's basic auth in place of a bearer token). */
  headers?: (headers: Record<string, string>) => Record<string, string>;
}

const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
  'host',
]);

/** A fallback step that relays the request to `target` (its origin, the request's own path and query). */
export function relay(target: string, options: RelayOptions = {}): FaultHandler {
  return async (request) => relayNow(target, request, options);
}

export async function relayNow(
  target: string,
  request: FaultRequest,
  options: RelayOptions = {},
): Promise<ReplyStep> {
  let headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value === undefined || HOP_BY_HOP.has(name) || name === 'content-length') continue;
    headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  if (options.headers) headers = options.headers(headers);
  const hasBody = request.method !== 'GET' && request.method !== 'HEAD';
  const answer = await fetch(new URL(request.url, target), {
    method: request.method,
    headers,
    body: hasBody ? request.body : undefined,
    redirect: 'manual',
  });
  const body = request.method === 'HEAD' ? '' : await answer.text();
  options.forwarded?.push({ method: request.method, path: request.path, status: answer.status });
  const replyHeaders: Record<string, string> = {};
  answer.headers.forEach((value, name) => {
    if (HOP_BY_HOP.has(name) || name === 'content-encoding') return;
    // a HEAD answer keeps the upstream's length; otherwise the server sets it from the body relayed
    if (name === 'content-length' && request.method !== 'HEAD') return;
    replyHeaders[name] = value;
  });
  return { status: answer.status, headers: replyHeaders, body };
}

/** Requests the server received with this method and path (faults and relays alike). */
export function countOf(server: FaultServer, method: string, path: string): number {
  return server.received.filter((r) => r.method === method && r.path === path).length;
}

/** Requests the server received, of one method or all. */
export function totalOf(server: FaultServer, method?: string): number {
  return server.received.filter((r) => method === undefined || r.method === method).length;
}

/** The request's attempt number: 1 for the first with its method and path. */
export function attemptOf(server: FaultServer, request: FaultRequest): number {
  return server.received.filter(
    (r) => r.index <= request.index && r.method === request.method && r.path === request.path,
  ).length;
}
