/**
 * A real node:http server on 127.0.0.1 (ephemeral port) that answers each request by a script of
 * fault steps, then falls through to a default answer or to a proxied target, and records every
 * request it received so a test can assert exact attempt counts.
 */
import {
  createServer,
  request as httpRequest,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type OutgoingHttpHeaders,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { closeWhenTestFinishes } from './closeWhenTestFinishes.js';

/** Answer with this status (default 200), headers and body (default empty). */
export interface ReplyStep {
  status?: number;
  headers?: Record<string, string>;
  body?: string;
  /** Hold the request this long before answering anything. */
  stallMs?: number;
  /** Send the headers at once, then dribble the body out over this long. */
  slowBodyMs?: number;
}

/** Destroy the connection with a TCP reset (the client sees ECONNRESET), after `stallMs` if given. */
export interface ResetStep {
  reset: true;
  stallMs?: number;
}

/** Forward the request to the server's `target` and relay its answer, after `stallMs` if given. */
export interface ProxyStep {
  proxy: true;
  stallMs?: number;
}

export type FaultStep = ReplyStep | ResetStep | ProxyStep;

/** A request as the server received it (body read in full). */
export interface FaultRequest {
  /** 0 for the first request the server received. */
  index: number;
  method: string;
  /** The request target as sent: path and query. */
  url: string;
  /** `url` without its query. */
  path: string;
  headers: IncomingHttpHeaders;
  /** The body as UTF-8. */
  body: string;
}

/** Decides the step of a request once the script is used up. */
export type FaultHandler = (request: FaultRequest) => FaultStep | Promise<FaultStep>;

export interface FaultServerOptions {
  /** Where `{proxy: true}` forwards to: its origin, with the request's own path and query. */
  target?: string;
  /** The step of every request after the script: default `{proxy: true}` with a target, else `{status: 200}`. */
  fallback?: FaultStep | FaultHandler;
}

export interface FaultServer {
  /** `http://127.0.0.1:<port>` */
  url: string;
  port: number;
  /** Requests received so far. */
  readonly count: number;
  /** Every request received, in order of arrival. */
  readonly received: FaultRequest[];
  /** The steps not used yet: the next request gets the first. Push more between runs. */
  readonly script: FaultStep[];
  /** What requests get once the script is used up; change it between runs. */
  fallback: FaultStep | FaultHandler;
  close(): Promise<void>;
}

const HOP_BY_HOP = [
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
];

/** Starts the server; it closes itself when the current test finishes. */
export async function startFaultServer(
  script: readonly FaultStep[] = [],
  options: FaultServerOptions = {},
): Promise<FaultServer> {
  const target = options.target === undefined ? undefined : new URL(options.target);
  const received: FaultRequest[] = [];
  const steps = [...script];
  const pending = new Set<{ timer: NodeJS.Timeout; resolve: () => void }>();
  const delay = (ms: number) =>
    new Promise<void>((resolve) => {
      const entry = { timer: setTimeout(() => settle(), ms), resolve: () => settle() };
      const settle = () => {
        clearTimeout(entry.timer);
        pending.delete(entry);
        resolve();
      };
      pending.add(entry);
    });

  const state = {
    fallback: options.fallback ?? (target ? { proxy: true as const } : { status: 200 }),
  };

  const answer = async (req: IncomingMessage, res: ServerResponse, request: FaultRequest, raw: Buffer) => {
    let gone = false;
    res.on('close', () => {
      gone = true;
    });
    const next = steps.shift() ?? state.fallback;
    const step = typeof next === 'function' ? await next(request) : next;
    if (step.stallMs) await delay(step.stallMs);
    if (gone) return;
    if ('reset' in step) {
      req.socket.resetAndDestroy();
    } else if ('proxy' in step) {
      if (!target) throw new Error('a {proxy: true} step needs the `target` option');
      proxy(target, request, raw, res);
    } else {
      const body = Buffer.from(step.body ?? '');
      const headers = { 'content-length': String(body.length), ...step.headers };
      res.writeHead(step.status ?? 200, headers);
      if (!step.slowBodyMs) {
        res.end(body);
        return;
      }
      res.flushHeaders();
      const pieces = Math.max(1, Math.min(body.length, 10));
      for (let i = 0; i < pieces; i++) {
        await delay(step.slowBodyMs / pieces);
        if (gone) return;
        res.write(
          body.subarray(Math.floor((i * body.length) / pieces), Math.floor(((i + 1) * body.length) / pieces)),
        );
      }
      res.end();
    }
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const url = req.url ?? '';
      const request: FaultRequest = {
        index: received.length,
        method: req.method ?? '',
        url,
        path: url.split('?')[0] ?? '',
        headers: req.headers,
        body: raw.toString('utf8'),
      };
      received.push(request);
      answer(req, res, request, raw).catch((error: unknown) => {
        if (res.headersSent) res.destroy();
        else res.writeHead(500, { 'content-type': 'text/plain' }).end(`fault server: ${String(error)}`);
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const fault: FaultServer = {
    url: `http://127.0.0.1:${port}`,
    port,
    get count() {
      return received.length;
    },
    received,
    script: steps,
    get fallback() {
      return state.fallback;
    },
    set fallback(value: FaultStep | FaultHandler) {
      state.fallback = value;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const entry of [...pending]) entry.resolve();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  closeWhenTestFinishes(() => fault.close());
  return fault;
}

/** Relays `request` to `target` and its answer back; a target that cannot be reached is a 502. */
function proxy(target: URL, request: FaultRequest, body: Buffer, res: ServerResponse): void {
  const upstream = new URL(request.url, target);
  const headers: OutgoingHttpHeaders = withoutHopByHop(request.headers);
  headers.host = upstream.host;
  if (body.length > 0 || headers['content-length'] !== undefined) headers['content-length'] = body.length;
  const out = httpRequest(upstream, { method: request.method, headers, agent: false }, (answer) => {
    res.writeHead(answer.statusCode ?? 502, withoutHopByHop(answer.headers));
    answer.pipe(res);
    answer.on('error', () => res.destroy());
  });
  out.on('error', (error) => {
    if (res.headersSent) res.destroy();
    else
      res
        .writeHead(502, { 'content-type': 'text/plain' })
        .end(`fault server: ${target.origin}: ${error.message}`);
  });
  out.end(body);
}

function withoutHopByHop(headers: IncomingHttpHeaders): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = { ...headers };
  for (const name of HOP_BY_HOP) delete out[name];
  return out;
}
