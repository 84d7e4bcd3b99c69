import { describe, expect, it } from 'vitest';
import { resolveDeployConfig } from '../../../src/section.js';
import { createFleet, rolloutConcurrency, rolloutWaves } from '../../../src/target/fleet.js';
import { parseHostSpec } from '../../../src/target/ssh/sshConfig.js';

const ssh = (rollout: Record<string, unknown>, hosts: unknown[] = ['a', 'b', 'c', 'd', 'e']) =>
  resolveDeployConfig(
    {
      target: { type: 'ssh', path: '/srv/app', hosts },
      rollout,
      healthcheck: { url: 'http://{host}:8080/h' },
    },
    { environment: 'prod', configFile: undefined, cwd: '/' },
  );

describe('SSH target config and rollout waves', () => {
  it('reads user@host:port, host:port, [v6]:port and refuses what is not a host', () => {
    expect(parseHostSpec('deploy@web1:2222')).toEqual({ host: 'web1', user: 'deploy', port: 2222 });
    expect(parseHostSpec('web2')).toEqual({ host: 'web2' });
    expect(parseHostSpec('[::1]:22')).toEqual({ host: '::1', port: 22 });
    expect(() => parseHostSpec('web1:99999')).toThrow(/out of range/);
    expect(() => parseHostSpec('-oProxyCommand=x')).toThrow(/starts with "-"/);
    expect(() => parseHostSpec('a b')).toThrow(/is not a host/);
  });

  it('fills each host health URL, refuses duplicate names and a host without a path', () => {
    const config = ssh({}, ['web1', { host: 'web2', name: 'w2', port: 2200, labels: ['canary'] }]);
    expect(config.target).toMatchObject({
      type: 'ssh',
      hosts: [
        { name: 'web1', host: 'web1', path: '/srv/app', healthUrl: 'http://web1:8080/h' },
        { name: 'w2', host: 'web2', port: 2200, labels: ['canary'], healthUrl: 'http://web2:8080/h' },
      ],
    });
    expect(() => ssh({}, ['web1', 'web1'])).toThrow(/names web1 twice/);
    expect(() =>
      resolveDeployConfig(
        { target: { type: 'ssh', hosts: ['web1'] } },
        { environment: 'x', configFile: undefined },
      ),
    ).toThrow(/has no path/);
  });

  it('splits hosts into waves: rolling by count and percentage, canary by name and label, parallel in one', () => {
    const waves = (rollout: Record<string, unknown>, hosts?: unknown[]) =>
      rolloutWaves(createFleet(ssh(rollout, hosts)));
    expect(waves({ strategy: 'rolling', batch: 2 })).toEqual([['a', 'b'], ['c', 'd'], ['e']]);
    expect(waves({ strategy: 'rolling', batch: '40%' })).toEqual([['a', 'b'], ['c', 'd'], ['e']]);
    expect(waves({ strategy: 'canary', canary: 'c' })).toEqual([['c'], ['a', 'b', 'd', 'e']]);
    expect(
      waves({ strategy: 'canary', canary: 'label:canary' }, ['a', { host: 'b', labels: ['canary'] }, 'c']),
    ).toEqual([['b'], ['a', 'c']]);
    expect(waves({ strategy: 'canary' })).toEqual([['a'], ['b', 'c', 'd', 'e']]);
    expect(waves({})).toEqual([['a', 'b', 'c', 'd', 'e']]);
    expect(() => waves({ strategy: 'canary', canary: 'zz' })).toThrow(/canary "zz" names no host/);
    expect(() => waves({ strategy: 'canary', canary: 'label:none' })).toThrow(/names no host/);
    expect(rolloutConcurrency(createFleet(ssh({ concurrency: 3 })))).toBe(3);
    expect(rolloutConcurrency(createFleet(ssh({ strategy: 'rolling', batch: 2 })))).toBe(2);
  });

  it('narrows to --hosts and --labels; an unknown host is a usage error naming the hosts', () => {
    const config = ssh({}, ['a', { host: 'b', labels: ['x'] }, { host: 'c', labels: ['x'] }]);
    expect(createFleet(config, { hosts: ['a', 'c'] }).hosts.map((h) => h.name)).toEqual(['a', 'c']);
    expect(createFleet(config, { labels: ['x'] }).hosts.map((h) => h.name)).toEqual(['b', 'c']);
    // the fleet lock does not depend on the selection
    expect(createFleet(config, { hosts: ['a'] }).id).toBe(createFleet(config).id);
    expect(() => createFleet(config, { hosts: ['z'] })).toThrow(/--hosts names z, which is not a host/);
    const hint = (() => {
      try {
        createFleet(config, { hosts: ['z'] });
      } catch (error) {
        return (error as { hint?: string }).hint;
      }
    })();
    expect(hint).toBe('the hosts are: a, b, c');
  });
});
