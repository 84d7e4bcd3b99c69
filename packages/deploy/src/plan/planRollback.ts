import { formatDuration } from '@tempered/core';
import { chooseRollbackTarget } from '../release/select.js';
import type { ReleaseLog } from '../release/types.js';
import type { DeployConfig } from '../section.js';
import type { TargetState } from '../target/types.js';
import { hookActions } from './planRelease.js';
import type { DeployAction, DeployPlan } from './steps.js';

export interface RollbackPlanInput {
  state: TargetState;
  log: ReleaseLog;
  config: DeployConfig;
  /** `deploy rollback RELEASE`; undefined: the previous good release. */
  named?: string | undefined;
  runId: string;
}

/**
 * The steps of `deploy rollback`; pure. An interrupted rollback (pending in the log) is resumed
 * rather than chosen again: `current` may already point to its target, and choosing again from
 * there would roll back one release too far.
 */
export function planRollback(input: RollbackPlanInput): DeployPlan {
  const { state, log, config, named } = input;
  const existing = new Set(state.releases.map((r) => r.id));
  const pending = log.pending;
  const resume =
    pending?.kind === 'rollback' &&
    existing.has(pending.release) &&
    (named === undefined || named === pending.release);
  const to = resume
    ? pending.release
    : chooseRollbackTarget({ log, existing, current: state.current, named });
  const attempt = resume ? pending.attempt : input.runId;
  if (to === undefined) {
    const current = state.current!;
    return {
      operation: {
        kind: 'rollback',
        release: current,
        previous: current,
        attempt,
        resumed: false,
        noop: true,
      },
      actions: [
        {
          id: `current:${current}`,
          kind: 'skip',
          target: 'current',
          reason: `already points to releases/${current}`,
          details: { step: 'noop', release: current },
        },
      ],
    };
  }
  const from = resume ? pending.previous : state.current;
  const suffix = `${to}@${attempt}`;
  const actions: DeployAction[] = [
    {
      id: `record-rollback:${suffix}`,
      kind: 'update',
      target: 'release-log.json',
      reason: `record rollback ${from ?? '(none)'} -> ${to}`,
      details: { step: 'begin-rollback', release: to, ...(from === undefined ? {} : { from }), attempt },
    },
    {
      id: `switch:${suffix}`,
      kind: state.current === to ? 'skip' : 'update',
      target: 'current',
      reason:
        state.current === to
          ? `already points to releases/${to}`
          : `releases/${state.current ?? '(none)'} -> releases/${to}`,
      details: {
        step: 'switch',
        release: to,
        ...(state.current === undefined ? {} : { from: state.current }),
      },
    },
    ...hookActions('afterSwitch', config, to, attempt),
  ];
  const hc = config.healthcheck;
  if (hc) {
    actions.push({
      id: `healthcheck:${suffix}`,
      kind: 'update',
      target: `health check ${hc.url}`,
      reason: `expect ${hc.expectStatus} within ${formatDuration(hc.timeoutMs)}`,
      details: { step: 'healthcheck', release: to, ...hc },
    });
  }
  actions.push({
    id: `finish-rollback:${suffix}`,
    kind: 'update',
    phase: 2,
    target: 'release-log.json',
    reason: from ? `mark ${from} rolled-back` : 'record the rollback',
    details: { step: 'finish-rollback', release: to, ...(from === undefined ? {} : { from }) },
  });
  return {
    operation: { kind: 'rollback', release: to, previous: from, attempt, resumed: resume, noop: false },
    actions,
  };
}
