import { UsageError } from '@tempered/core';

/** One host of a fleet, as the config names it. */
export interface SshEndpoint {
  /** How messages, flags (`--hosts`) and the journal name the host: its `name`, else its host. */
  name: string;
  /** A host name, an address, or an alias of ~/.ssh/config. */
  host: string;
  user?: string | undefined;
  port?: number | undefined;
  /** The base directory on the host (absolute): releases/, current, shared/. */
  path: string;
  labels: string[];
  /** The health check URL of this host (the template filled in), if the target has one. */
  healthUrl?: string | undefined;
}

/** How every host of the target is reached. */
export interface SshSettings {
  /** An ssh_config file instead of ~/.ssh/config (`ssh -F`). */
  configFile?: string | undefined;
  identityFile?: string | undefined;
  knownHostsFile?: string | undefined;
  connectTimeoutMs: number;
  keepaliveMs: number;
  /** Connection handshakes in flight at once, across the fleet. */
  maxStartups: number;
  /** A remote lock not renewed for this long is stale: the next deploy takes it over. */
  lockTtlMs: number;
}

/** `user@host:port`, `host:port`, `user@host`, `[::1]:22`: the parts ssh needs. */
export function parseHostSpec(spec: string): { host: string; user?: string; port?: number } {
  const match = /^(?:([^@\s]+)@)?(\[[^\]\s]+\]|[^:@\s[\]]+)(?::(\d{1,5}))?$/.exec(spec.trim());
  if (!match?.[2]) {
    throw new UsageError(`"${spec}" is not a host`, {
      hint: 'write hosts as host, user@host, host:port or user@host:port',
    });
  }
  const port = match[3] === undefined ? undefined : Number(match[3]);
  if (port !== undefined && (port < 1 || port > 65_535)) {
    throw new UsageError(`"${spec}": port ${port} is out of range`, { hint: 'use a port from 1 to 65535' });
  }
  const host = match[2].replace(/^\[(.*)\]$/, '$1');
  if (host.startsWith('-')) {
    throw new UsageError(`"${spec}" is not a host: it starts with "-"`, {
      hint: 'check deploy.target.hosts',
    });
  }
  return { host, ...(match[1] ? { user: match[1] } : {}), ...(port ? { port } : {}) };
}

/** `{host}`, `{name}` and `{port}` of a health check URL filled in for one host. */
export function fillHostTemplate(template: string, endpoint: Pick<SshEndpoint, 'host' | 'name'>): string {
  return template.replaceAll('{host}', endpoint.host).replaceAll('{name}', endpoint.name);
}
