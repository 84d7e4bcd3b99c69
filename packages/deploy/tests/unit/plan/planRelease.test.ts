import { describe, expect, it } from 'vitest';
import type { ArtifactInfo } from '../../../src/artifact/index.js';
import { planRelease, type ReleasePlanInput } from '../../../src/plan/planRelease.js';
import type { DeployAction } from '../../../src/plan/steps.js';
import { beginRelease } from '../../../src/release/releaseLog.js';
import { emptyLog } from '../../../src/release/types.js';
import { type DeployConfig, resolveDeployConfig } from '../../../src/section.js';
import type { TargetState } from '../../../src/target/types.js';
import { digestOf, dirs, logOf } from '../release/fixtures.js';

const artifact = (name: string): ArtifactInfo => ({
  path: `/build/${name}`,
  kind: 'directory',
  digest: digestOf(name),
  entries: 3,
  need: { bytes: 12_288, entries: 3 },
});

function config(section: Record<string, unknown> = {}): DeployConfig {
  return resolveDeployConfig(
    { target: { path: '/srv/app' }, ...section },
    { environment: 'test', configFile: undefined },
  );
}

function state(current: string | undefined, ...ids: string[]): TargetState {
  return { exists: true, current, releases: dirs(...ids), leftovers: [] };
}

function input(overrides: Partial<ReleasePlanInput>): ReleasePlanInput {
  return {
    state: state(undefined),
    log: emptyLog(),
    artifact: artifact('v1'),
    config: config(),
    force: false,
    now: new Date('2026-05-01T10:00:00Z'),
    runId: 'run-1',
    ...overrides,
  };
}

const summary = (actions: DeployAction[]) => actions.map((a) => `${a.kind} ${a.id}`);

describe('Function: planRelease', () => {
  it('plans every step of a first deploy in order, ids naming release and attempt', () => {
    const { operation, actions } = planRelease(
      input({
        version: 'v1',
        config: config({
          shared: ['logs'],
          hooks: { beforeSwitch: ['npm ci'], afterSwitch: ['systemctl reload app'] },
          healthcheck: { url: 'http://127.0.0.1:8080/healthz' },
        }),
      }),
    );
    expect(operation).toMatchObject({ release: 'v1', previous: undefined, attempt: 'run-1', noop: false });
    expect(summary(actions)).toEqual([
      'update record:v1@run-1',
      'create create:v1@run-1',
      'update link-shared:v1@run-1',
      'update hook:beforeSwitch:0:v1@run-1',
      'update switch:v1@run-1',
      'update hook:afterSwitch:0:v1@run-1',
      'update healthcheck:v1@run-1',
      'update finish:v1@run-1',
    ]);
    expect(actions.find((a) => a.id.startsWith('finish:'))?.phase).toBe(2);
  });

  it('generates a timestamp + digest id without --version', () => {
    const { operation } = planRelease(input({}));
    expect(operation.release).toBe(`20260501T100000Z-${digestOf('v1').slice(7, 15)}`);
  });

  it('is a no-op when the artifact digest equals the current good release', () => {
    const { operation, actions } = planRelease(
      input({ state: state('v1', 'v1'), log: logOf(['v1']), artifact: artifact('v1'), version: 'v9' }),
    );
    expect(operation.noop).toBe(true);
    expect(actions.map((a) => a.kind)).toEqual(['skip']);
    expect(actions[0]?.reason).toContain('already deployed');
  });

  it('still sweeps leftovers of an interrupted run on a no-op', () => {
    const { actions } = planRelease(
      input({
        state: { ...state('v1', 'v1'), leftovers: ['v2.partial'] },
        log: logOf(['v1']),
        artifact: artifact('v1'),
      }),
    );
    expect(summary(actions)).toEqual(['delete sweep:v2.partial@run-1', 'skip deployed:v1']);
  });

  it('is not a no-op when the current release with that digest failed', () => {
    const { operation, actions } = planRelease(
      input({
        state: state('v1', 'v1'),
        log: logOf(['v1', 'failed']),
        artifact: artifact('v1'),
        version: 'v1',
      }),
    );
    expect(operation.noop).toBe(false);
    // the directory is reused and current already points to it
    expect(actions.filter((a) => a.kind === 'skip').map((a) => a.id)).toEqual([
      'create:v1@run-1',
      'switch:v1@run-1',
    ]);
  });

  it('refuses (exit 2) a --version already used with another digest, unless --force', () => {
    const base = {
      state: state('v2', 'v1', 'v2'),
      log: logOf(['v1'], ['v2']),
      artifact: artifact('other'),
      version: 'v1',
    };
    expect(() => planRelease(input(base))).toThrow(
      expect.objectContaining({
        exitCode: 2,
        message: expect.stringContaining('release v1 already exists with digest'),
      }),
    );
    expect(() => planRelease(input(base))).toThrow(
      expect.objectContaining({ hint: expect.stringContaining('--force') }),
    );
    const forced = planRelease(input({ ...base, force: true }));
    expect(forced.actions.find((a) => a.id.startsWith('create:'))).toMatchObject({
      kind: 'update',
      details: { replace: true },
    });
  });

  it('refuses to replace the current release even with --force', () => {
    expect(() =>
      planRelease(
        input({
          state: state('v1', 'v1'),
          log: logOf(['v1']),
          artifact: artifact('other'),
          version: 'v1',
          force: true,
        }),
      ),
    ).toThrow(/is current and cannot be replaced/);
  });

  it('refuses a directory the log does not know under the same id', () => {
    expect(() => planRelease(input({ state: state(undefined, 'v1'), version: 'v1' }))).toThrow(
      /already exists/,
    );
  });

  it('plans keep-N cleanup as deletions after everything else, never current or the previous good', () => {
    const log = logOf(['v1'], ['v2', 'failed'], ['v3'], ['v4', 'failed']);
    const { operation, actions } = planRelease(
      input({
        state: state('v4', 'v1', 'v2', 'v3', 'v4'),
        log,
        artifact: artifact('v5'),
        version: 'v5',
        config: config({ keepReleases: 2 }),
      }),
    );
    // v4 (current) failed, so the previous good is v3, kept though beyond keep=2 (v5, v4)
    expect(operation.previous).toBe('v3');
    const deletes = actions.filter((a) => a.kind === 'delete');
    expect(deletes.map((a) => [a.target, a.phase])).toEqual([
      ['releases/v2', 1],
      ['releases/v1', 1],
    ]);
    expect(actions.find((a) => a.id.startsWith('finish:'))?.details).toMatchObject({ removed: ['v2', 'v1'] });
  });

  it('resumes an interrupted deploy of the same artifact under its attempt and previous release', () => {
    const interrupted = beginRelease(logOf(['v1']), {
      id: 'v2',
      digest: digestOf('v2'),
      artifact: '/build/v2',
      previous: 'v1',
      attempt: 'run-0',
      by: 'ops@host',
      runId: 'run-0',
      now: '2026-05-01T09:59:00Z',
    });
    // it died after the switch: current already points to v2
    const { operation, actions } = planRelease(
      input({ state: state('v2', 'v1', 'v2'), log: interrupted, artifact: artifact('v2') }),
    );
    expect(operation).toMatchObject({ release: 'v2', previous: 'v1', attempt: 'run-0', resumed: true });
    expect(actions.every((a) => a.id.endsWith('@run-0'))).toBe(true);
    // a different artifact does not resume it
    const other = planRelease(
      input({ state: state('v2', 'v1', 'v2'), log: interrupted, artifact: artifact('v3') }),
    );
    expect(other.operation).toMatchObject({ resumed: false, previous: 'v1', attempt: 'run-1' });
  });

  it('sweeps leftovers first, in phase 0', () => {
    const { actions } = planRelease(
      input({ state: { ...state(undefined), leftovers: ['a.partial', 'b.removing'] } }),
    );
    expect(actions.slice(0, 2).map((a) => [a.kind, a.target, a.phase])).toEqual([
      ['delete', 'releases/a.partial', 0],
      ['delete', 'releases/b.removing', 0],
    ]);
  });
});
