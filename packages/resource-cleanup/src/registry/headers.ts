/** One `WWW-Authenticate` challenge: its scheme (lower-cased) and parameters. */
export interface Challenge {
  scheme: string;
  params: Record<string, string>;
}

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+/;

/**
 * Parses `Bearer realm="https://auth/token",service="registry",scope="repository:a/b:pull,push"`
 * (quoted values may hold commas) and several challenges in one header (`Basic realm="x", Bearer ...`).
 */
export function parseChallenges(header: string | string[] | undefined): Challenge[] {
  const text = [header ?? []].flat().join(', ');
  const out: Challenge[] = [];
  let rest = text.trim();
  let current: Challenge | undefined;
  while (rest.length > 0) {
    rest = rest.replace(/^[\s,]+/, '');
    const name = TOKEN.exec(rest)?.[0];
    if (!name) break;
    const after = rest.slice(name.length).replace(/^\s+/, '');
    if (after.startsWith('=') && current) {
      // a parameter of the current challenge
      let value: string;
      let tail = after.slice(1).replace(/^\s+/, '');
      if (tail.startsWith('"')) {
        let i = 1;
        value = '';
        while (i < tail.length && tail[i] !== '"') {
          if (tail[i] === '\\' && i + 1 < tail.length) i++;
          value += tail[i];
          i++;
        }
        tail = tail.slice(i + 1);
      } else {
        value = TOKEN.exec(tail)?.[0] ?? '';
        tail = tail.slice(value.length);
      }
      current.params[name.toLowerCase()] = value;
      rest = tail;
    } else {
      current = { scheme: name.toLowerCase(), params: {} };
      out.push(current);
      rest = after;
    }
  }
  return out;
}

/** The `rel="next"` target of a `Link` header, if any. */
export function nextLink(header: string | string[] | undefined): string | undefined {
  for (const value of [header ?? []].flat()) {
    for (const part of value.split(/,(?=\s*<)/)) {
      const match = /^\s*<([^>]*)>\s*;(.*)$/.exec(part);
      if (match && /(^|;)\s*rel="?next"?\s*(;|$)/i.test(match[2] ?? '')) return match[1];
    }
  }
  return undefined;
}
