import { type HttpClient, PermanentError, secrets } from '@tempered/core';
import type { RegistryAuth } from '../section.js';
import { type Challenge, parseChallenges } from './headers.js';
import { MAX_TOKEN_BYTES } from './limits.js';
import { realmAllowed } from './origins.js';

interface CachedToken {
  header: string;
  expiresAt: number;
}

/** Seconds a token without `expires_in` lives (the distribution spec's default). */
const DEFAULT_TOKEN_SECONDS = 60;
/** Renew this long before a token expires, so it does not expire in flight. */
const MARGIN_MS = 10_000;

/**
 * Registry authentication: none, basic (htpasswd), a static bearer token, or the bearer-token
 * challenge flow (401 + `WWW-Authenticate: Bearer realm=...` -> token from the realm, with the
 * basic credentials if any, per scope, cached until it expires). Every credential and token is a
 * registered secret: no log line, error or output can print it.
 */
export class Authenticator {
  readonly #http: HttpClient;
  readonly #auth: RegistryAuth | undefined;
  readonly #registry: URL;
  readonly #tokenRealms: readonly string[] | undefined;
  #mode: 'unknown' | 'basic' | 'bearer' = 'unknown';
  #bearer: { realm: string; service: string | undefined } | undefined;
  readonly #tokens = new Map<string, CachedToken>();
  readonly #pending = new Map<string, Promise<CachedToken>>();

  constructor(
    http: HttpClient,
    auth: RegistryAuth | undefined,
    registry: URL,
    tokenRealms: readonly string[] | undefined,
  ) {
    this.#http = http;
    this.#auth = auth;
    this.#registry = registry;
    this.#tokenRealms = tokenRealms;
    if (auth && 'token' in auth) secrets.addSecret(auth.token);
    if (auth && 'password' in auth && auth.password !== '') {
      secrets.addSecret(auth.password);
      secrets.addSecret(basicValue(auth));
    }
  }

  /** The Authorization header for a request needing `scope`, fetching a token when the flow is known to need one. */
  async header(scope: string, signal?: AbortSignal): Promise<string | undefined> {
    if (this.#auth && 'token' in this.#auth) return `Bearer ${this.#auth.token}`;
    if (this.#mode === 'basic' && this.#auth && 'username' in this.#auth)
      return `Basic ${basicValue(this.#auth)}`;
    if (this.#mode === 'bearer' && this.#bearer) return (await this.#token(scope, scope, signal)).header;
    return undefined;
  }

  /**
   * Answers a 401: returns the header to retry with, or throws a PermanentError naming what to
   * fix. `sent` is the header the refused request carried (a second refusal is final).
   */
  async answer(
    wwwAuthenticate: string | string[] | undefined,
    scope: string,
    sent: string | undefined,
    signal?: AbortSignal,
  ): Promise<string> {
    const challenges = parseChallenges(wwwAuthenticate);
    const bearer = challenges.find((c) => c.scheme === 'bearer');
    const basic = challenges.find((c) => c.scheme === 'basic');
    if (this.#auth && 'token' in this.#auth) {
      throw rejected('the registry did not accept the configured token', 'check auth.token');
    }
    if (bearer) return this.#answerBearer(bearer, scope, sent, signal);
    if (basic) {
      if (!this.#auth || !('username' in this.#auth)) {
        throw rejected(
          'the registry asks for credentials (basic auth) and the rule has none',
          // biome-ignore lint/suspicious/noTemplateCurlyInString: the config's placeholder syntax, shown to the operator
          'set auth: { username, password } on the rule, the password from the environment: "${REGISTRY_PASSWORD}"',
        );
      }
      if (sent?.startsWith('Basic ')) {
        throw rejected(
          'the registry did not accept the username and password',
          'check auth.username and auth.password',
        );
      }
      this.#mode = 'basic';
      return `Basic ${basicValue(this.#auth)}`;
    }
    throw rejected(
      'the registry answered 401 without a challenge this client understands',
      'check the url and auth of the rule',
    );
  }

  /** The error for credentials that were answered and then refused anyway. */
  refused(sent: string): PermanentError {
    if (sent.startsWith('Basic ')) {
      return rejected(
        'the registry did not accept the username and password',
        'check auth.username and auth.password',
      );
    }
    if (this.#auth && 'token' in this.#auth)
      return rejected('the registry did not accept the configured token', 'check auth.token');
    return rejected(
      'the registry refused the token its token server gave',
      "check the rule's credentials and their permissions (pull, and delete to delete)",
    );
  }

  async #answerBearer(challenge: Challenge, scope: string, sent: string | undefined, signal?: AbortSignal) {
    const realm = this.#realm(challenge.params.realm);
    this.#mode = 'bearer';
    this.#bearer = { realm, service: challenge.params.service };
    const wanted = challenge.params.scope ?? scope;
    const cached = this.#tokens.get(scope);
    if (sent !== undefined && cached && sent === cached.header) {
      // the token we had was refused (expired, or too narrow a scope): one fresh try
      this.#tokens.delete(scope);
      const fresh = await this.#token(scope, wanted, signal);
      if (fresh.header === sent)
        throw rejected(
          'the token server gave a token the registry refuses',
          "check the rule's credentials and their permissions",
        );
      return fresh.header;
    }
    return (await this.#token(scope, wanted, signal)).header;
  }

  /**
   * The realm URL, if the rule lets its credentials go there: a registry may name any URL as its
   * token server, and the basic credentials (or the token it gives) would follow.
   */
  #realm(value: string | undefined): string {
    if (!value)
      throw rejected(
        'the registry asked for a bearer token without a realm',
        "check the registry's auth setup",
      );
    let realm: URL;
    try {
      realm = new URL(value);
    } catch {
      throw rejected('the registry named a token realm that is not a URL', "check the registry's auth setup");
    }
    if (
      (realm.protocol !== 'https:' && realm.protocol !== 'http:') ||
      !realmAllowed(realm, this.#registry, this.#tokenRealms)
    ) {
      throw new PermanentError(
        `registry auth: ${this.#registry.origin} sends us to the token server ${realm.origin}, which the rule does not trust; nothing was sent there`,
        {
          hint: `if that token server is genuine, add "${realm.origin}" to the rule's tokenRealms (default: the registry's own host over https)`,
        },
      );
    }
    return realm.href;
  }

  /** One token request per scope at a time; tokens are reused until shortly before they expire. */
  async #token(key: string, scope: string, signal?: AbortSignal): Promise<CachedToken> {
    const cached = this.#tokens.get(key);
    if (cached && cached.expiresAt > Date.now()) return cached;
    const pending = this.#pending.get(key);
    if (pending) return pending;
    const promise = this.#fetchToken(scope, signal).finally(() => this.#pending.delete(key));
    this.#pending.set(key, promise);
    const token = await promise;
    this.#tokens.set(key, token);
    return token;
  }

  async #fetchToken(scope: string, signal?: AbortSignal): Promise<CachedToken> {
    const bearer = this.#bearer;
    if (!bearer) throw rejected('no bearer realm known', "check the registry's auth setup");
    const url = new URL(bearer.realm);
    if (bearer.service) url.searchParams.set('service', bearer.service);
    for (const one of scope.split(' ').filter(Boolean)) url.searchParams.append('scope', one);
    const headers: Record<string, string> = {};
    if (this.#auth && 'username' in this.#auth) headers.authorization = `Basic ${basicValue(this.#auth)}`;
    const response = await this.#http.get<Buffer>(url.href, {
      headers,
      responseType: 'buffer',
      maxBodyBytes: MAX_TOKEN_BYTES,
      bodyLabel: 'token server answer',
      bodyLimitHint: 'if the registry is trusted and this is expected, raise the limit named in the rule',
      signal,
    });
    let body: { token?: unknown; access_token?: unknown; expires_in?: unknown } = {};
    try {
      body = response.body.length === 0 ? {} : JSON.parse(response.body.toString('utf8'));
    } catch {
      // not JSON: the same as no token, reported below
    }
    body ??= {};
    const token =
      typeof body.token === 'string'
        ? body.token
        : typeof body.access_token === 'string'
          ? body.access_token
          : undefined;
    if (!token)
      throw rejected(
        `the token server at ${url.origin} answered without a token`,
        "check the registry's auth setup",
      );
    secrets.addSecret(token);
    const seconds =
      typeof body.expires_in === 'number' && body.expires_in > 0 ? body.expires_in : DEFAULT_TOKEN_SECONDS;
    return { header: `Bearer ${token}`, expiresAt: Date.now() + Math.max(seconds * 1000 - MARGIN_MS, 1000) };
  }
}

function basicValue(auth: { username: string; password: string }): string {
  return Buffer.from(`${auth.username}:${auth.password}`).toString('base64');
}

function rejected(message: string, hint: string): PermanentError {
  return new PermanentError(`registry auth: ${message}`, { status: 401, hint });
}
