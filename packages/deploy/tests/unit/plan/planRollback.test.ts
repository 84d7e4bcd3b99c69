import { describe, expect, it } from 'vitest';
import { planRollback } from '../../../src/plan/planRollback.js';
import { beginRollback } from '../../../src/release/releaseLog.js';
import { resolveDeployConfig } from '../../../src/section.js';
import type { TargetState } from '../../../src/target/types.js';
import { dirs, logOf } from '../release/fixtures.js';

const config = resolveDeployConfig(
  {
    target: { path: '/srv/app' },
    hooks: { afterSwitch: ['reload'] },
    healthcheck: { url: 'http://127.0.0.1:1/healthz', timeout: '5s' },
  },
  { environment: 'test', configFile: undefined },
);
const state = (current: string | undefined, ...ids: string[]): TargetState => ({
  exists: true,
  current,
  releases: dirs(...ids),
  leftovers: [],
});

describe('Function: planRollback', () => {
  it('switches to the previous good release, skipping a failed one, then hooks, health, log', () => {
    const { operation, actions } = planRollback({
      state: state('v3', 'v1', 'v2', 'v3'),
      log: logOf(['v1'], ['v2', 'failed'], ['v3']),
      config,
      runId: 'run-1',
    });
    expect(operation).toMatchObject({ kind: 'rollback', release: 'v1', previous: 'v3', noop: false });
    expect(actions.map((a) => `${a.kind} ${a.id}`)).toEqual([
      'update record-rollback:v1@run-1',
      'update switch:v1@run-1',
      'update hook:afterSwitch:0:v1@run-1',
      'update healthcheck:v1@run-1',
      'update finish-rollback:v1@run-1',
    ]);
    expect(actions[1]?.reason).toBe('releases/v3 -> releases/v1');
  });

  it('a named release that is already current is a no-op', () => {
    const { operation, actions } = planRollback({
      state: state('v2', 'v1', 'v2'),
      log: logOf(['v1'], ['v2']),
      config,
      named: 'v2',
      runId: 'run-1',
    });
    expect(operation.noop).toBe(true);
    expect(actions.map((a) => a.kind)).toEqual(['skip']);
  });

  it('resumes an interrupted rollback instead of rolling back one release further', () => {
    const log = beginRollback(logOf(['v1'], ['v2'], ['v3']), {
      to: 'v2',
      from: 'v3',
      attempt: 'run-0',
      by: 'ops@host',
      runId: 'run-0',
      now: '2026-01-01T00:00:00Z',
    });
    // it died after the switch: current already points to v2
    const { operation, actions } = planRollback({
      state: state('v2', 'v1', 'v2', 'v3'),
      log,
      config,
      runId: 'run-1',
    });
    expect(operation).toMatchObject({ release: 'v2', previous: 'v3', attempt: 'run-0', resumed: true });
    expect(actions.find((a) => a.id.startsWith('switch:'))?.kind).toBe('skip');
  });
});
