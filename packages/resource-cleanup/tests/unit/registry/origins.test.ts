import { describe, expect, it } from 'vitest';
import { isLoopback, realmAllowed } from '../../../src/registry/origins.js';

const url = (text: string) => new URL(text);

describe('Function: realmAllowed', () => {
  it('by default trusts only the registry origin, or a privileged https port of its host', () => {
    const registry = url('https://registry.example.com');
    expect(realmAllowed(url('https://registry.example.com/token'), registry, undefined)).toBe(true);
    // any user on the registry's host could listen on 5001; only root can on 443
    expect(realmAllowed(url('https://registry.example.com:5001/token'), registry, undefined)).toBe(false);
    const onPort = url('https://registry.example.com:5000');
    expect(realmAllowed(url('https://registry.example.com/token'), onPort, undefined)).toBe(true);
    expect(realmAllowed(url('https://registry.example.com:5000/token'), onPort, undefined)).toBe(true);
    expect(realmAllowed(url('http://registry.example.com/token'), registry, undefined)).toBe(false);
    expect(realmAllowed(url('https://auth.example.com/token'), registry, undefined)).toBe(false);
  });

  it('allows plain http only for a plain-http registry on loopback, on its own host', () => {
    expect(realmAllowed(url('http://127.0.0.1:5000/token'), url('http://127.0.0.1:5000'), undefined)).toBe(
      true,
    );
    // another port of 127.0.0.1 is whoever listens there: any local user
    expect(realmAllowed(url('http://127.0.0.1:40000/token'), url('http://127.0.0.1:5000'), undefined)).toBe(
      false,
    );
    expect(realmAllowed(url('http://localhost:9/token'), url('http://127.0.0.1:5000'), undefined)).toBe(
      false,
    );
    expect(realmAllowed(url('http://registry.lan/token'), url('http://registry.lan'), undefined)).toBe(false);
  });

  it('with tokenRealms, trusts exactly the origins listed', () => {
    const registry = url('https://registry.example.com');
    const listed = ['https://auth.example.com'];
    expect(realmAllowed(url('https://auth.example.com/token?x=1'), registry, listed)).toBe(true);
    expect(realmAllowed(url('https://auth.example.com:8443/token'), registry, listed)).toBe(false);
    expect(realmAllowed(url('https://registry.example.com/token'), registry, listed)).toBe(false);
  });
});

describe('Function: isLoopback', () => {
  it('knows 127/8, ::1 and localhost, nothing else', () => {
    for (const text of ['http://127.0.0.1', 'http://127.8.9.10:80', 'http://[::1]:5000', 'http://LOCALHOST'])
      expect(isLoopback(url(text))).toBe(true);
    for (const text of ['http://128.0.0.1', 'http://localhost.example.com', 'http://[::2]'])
      expect(isLoopback(url(text))).toBe(false);
  });
});
