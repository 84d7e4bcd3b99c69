/**
 * An HTTP proxy in front of the real registry that injects faults on a script (429 with
 * Retry-After, 503, connection resets, held requests), serves extra routes (a token server) and
 * counts every request, so tests can assert exact attempt counts.
 */
import { createServer, type IncomingMessage, request, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Fault =
  | 'forward'
  | 'reset'
  /** Keep the request open, never forwarded: the test decides what happens next (kill the client). */
  | 'hold'
  | { status: number; headers?: Record<string, string>; body?: string };

export interface ProxyRequest {
  method: string;
  /** Path and query. */
  path: string;
  pathname: string;
  /** 1 for the first request with this method and pathname. */
  attempt: number;
  headers: IncomingMessage['headers'];
}

export interface Forwarded {
  method: string;
  pathname: string;
  status: number;
}

export class RegistryProxy {
  decide: (req: ProxyRequest) => Fault = () => 'forward';
  /** Handles a request itself (returns true), e.g. a token endpoint. */
  route: (req: ProxyRequest, res: ServerResponse) => boolean = () => false;
  /** Headers sent upstream (e.g. the real registry's basic auth in place of a bearer token). */
  upstreamHeaders: (headers: IncomingMessage['headers']) => IncomingMessage['headers'] = (headers) => headers;
  readonly attempts = new Map<string, number>();
  readonly forwarded: Forwarded[] = [];
  readonly held: { req: ProxyRequest; res: ServerResponse }[] = [];
  #holdWaiters: { count: number; resolve: () => void }[] = [];

  private constructor(
    readonly upstream: URL,
    readonly server: Server,
  ) {}

  static async start(upstream: string): Promise<RegistryProxy> {
    const server = createServer();
    const proxy = new RegistryProxy(new URL(upstream), server);
    server.on('request', (req, res) => proxy.#handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Requests seen with this method and pathname (faults and forwards alike). */
  count(method: string, pathname: string): number {
    return this.attempts.get(`${method} ${pathname}`) ?? 0;
  }

  total(method?: string): number {
    let sum = 0;
    for (const [key, value] of this.attempts)
      if (method === undefined || key.startsWith(`${method} `)) sum += value;
    return sum;
  }

  /** Resolves once `count` requests are being held. */
  waitForHeld(count: number): Promise<void> {
    if (this.held.length >= count) return Promise.resolve();
    return new Promise((resolve) => this.#holdWaiters.push({ count, resolve }));
  }

  async close(): Promise<void> {
    for (const { res } of this.held.splice(0)) res.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  #handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://proxy');
    const key = `${req.method} ${url.pathname}`;
    const attempt = (this.attempts.get(key) ?? 0) + 1;
    this.attempts.set(key, attempt);
    const info: ProxyRequest = {
      method: req.method ?? 'GET',
      path: `${url.pathname}${url.search}`,
      pathname: url.pathname,
      attempt,
      headers: req.headers,
    };
    if (this.route(info, res)) return;
    const fault = this.decide(info);
    if (fault === 'reset') {
      req.socket.destroy();
      return;
    }
    if (fault === 'hold') {
      this.held.push({ req: info, res });
      for (const waiter of [...this.#holdWaiters]) {
        if (this.held.length >= waiter.count) {
          this.#holdWaiters = this.#holdWaiters.filter((w) => w !== waiter);
          waiter.resolve();
        }
      }
      return;
    }
    if (fault !== 'forward') {
      req.resume();
      res.writeHead(fault.status, { 'content-type': 'application/json', ...fault.headers });
      res.end(fault.body ?? '{"errors":[{"code":"FAULT","message":"injected"}]}');
      return;
    }
    const upstream = request(
      {
        host: this.upstream.hostname,
        port: this.upstream.port,
        method: req.method,
        path: info.path,
        headers: { ...this.upstreamHeaders(req.headers), host: this.upstream.host },
      },
      (answer) => {
        this.forwarded.push({ method: info.method, pathname: info.pathname, status: answer.statusCode ?? 0 });
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  }
}
