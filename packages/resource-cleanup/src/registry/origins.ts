/**
 * Where credentials may go. A registry is untrusted input: its `WWW-Authenticate` realm, its
 * `Link` pages and its redirects can all name another origin, and a credential sent there is
 * a credential given away.
 */

/** 127.0.0.0/8, ::1 and `localhost`: a plain-http registry here never crosses a network. */
export function isLoopback(url: URL): boolean {
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return host === 'localhost' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);
}

/**
 * May the rule's credentials be sent to this token realm? Only to an origin listed in
 * `tokenRealms`. Without that list: the registry's own origin (over https, or over http when the
 * registry itself is plain http on loopback, as in a local test registry), or another https port
 * of the registry's host below 1024, which only root on that host can listen on. Any port of a
 * loopback registry's host is not enough: every local user can listen on 127.0.0.1:40000.
 */
export function realmAllowed(realm: URL, registry: URL, tokenRealms: readonly string[] | undefined): boolean {
  if (tokenRealms !== undefined)
    return tokenRealms.some((allowed) => new URL(allowed).origin === realm.origin);
  if (realm.origin === registry.origin)
    return realm.protocol === 'https:' || (realm.protocol === 'http:' && isLoopback(registry));
  if (realm.protocol !== 'https:' || realm.hostname.toLowerCase() !== registry.hostname.toLowerCase())
    return false;
  return Number(realm.port || 443) < 1024;
}
