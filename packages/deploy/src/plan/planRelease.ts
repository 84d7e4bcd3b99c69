import { formatDuration, UsageError } from '@tempered/core';
import { type ArtifactInfo, shortDigest } from '../artifact/index.js';
import { releaseIdFor } from '../release/releaseId.js';
import { findRecord } from '../release/releaseLog.js';
import { newestFirst, previousGood, selectCleanup } from '../release/select.js';
import { type ReleaseLog, ReleaseStatus } from '../release/types.js';
import type { DeployConfig } from '../section.js';
import type { TargetState } from '../target/types.js';
import type { DeployAction, DeployPlan, HookPhase } from './steps.js';

export interface ReleasePlanInput {
  state: TargetState;
  log: ReleaseLog;
  artifact: ArtifactInfo;
  config: DeployConfig;
  version?: string | undefined;
  force: boolean;
  now: Date;
  runId: string;
}

/**
 * The steps of `deploy release`, computed from what is on the target; pure. Step ids end in
 * `@<attempt>`: a run that resumes an interrupted deploy of the same artifact takes over its
 * attempt (from the log's pending operation) so the journal skips what was done, while a fresh
 * attempt, after a handled failure, gets new ids and repeats every step.
 */
export function planRelease(input: ReleasePlanInput): DeployPlan {
  const { state, log, artifact, config, version, force } = input;
  const pending = log.pending;
  const resume =
    pending?.kind === 'release' &&
    pending.digest === artifact.digest &&
    (version === undefined || version === pending.release) &&
    findRecord(log, pending.release)?.status === ReleaseStatus.Deploying;
  const id = resume ? pending.release : releaseIdFor({ version, now: input.now, digest: artifact.digest });
  const attempt = resume ? pending.attempt : input.runId;
  const existing = new Set(state.releases.map((r) => r.id));
  const current = state.current;
  const sweeps = state.leftovers.map(
    (name): DeployAction => ({
      id: `sweep:${name}@${attempt}`,
      kind: 'delete',
      phase: 0,
      target: `releases/${name}`,
      reason: 'left by an interrupted run',
      details: { step: 'sweep', name },
    }),
  );

  const record = findRecord(log, id);
  const sameContent = record !== undefined && record.digest === artifact.digest;
  const conflict = (record !== undefined && !sameContent) || (existing.has(id) && record === undefined);
  if (!resume && conflict) {
    const was = record ? `digest ${shortDigest(record.digest)}` : 'content the release log does not know';
    if (!force) {
      throw new UsageError(`release ${id} already exists with ${was}, not ${shortDigest(artifact.digest)}`, {
        hint: 'deploy under a new --version, or pass --force to replace that release',
      });
    }
    if (id === current) {
      throw new UsageError(`release ${id} is current and cannot be replaced in place, even with --force`, {
        hint: 'deploy under a new --version, or roll back first and then replace it',
      });
    }
  }
  const currentRecord = current === undefined ? undefined : findRecord(log, current);
  // a forced replacement was asked for explicitly: it is not "already deployed" elsewhere
  if (
    !resume &&
    !conflict &&
    currentRecord?.digest === artifact.digest &&
    currentRecord.status === ReleaseStatus.Good
  ) {
    return {
      operation: {
        kind: 'release',
        release: current!,
        previous: undefined,
        attempt,
        resumed: false,
        noop: true,
      },
      actions: [
        ...sweeps,
        {
          id: `deployed:${current}`,
          kind: 'skip',
          target: `releases/${current}`,
          reason: `already deployed: current release ${current} has digest ${shortDigest(artifact.digest)}`,
          details: { step: 'noop', release: current! },
        },
      ],
    };
  }

  const previous = resume ? pending.previous : previousGood(log, { current, release: id, existing });
  const suffix = `${id}@${attempt}`;
  const actions: DeployAction[] = [...sweeps];

  actions.push({
    id: `record:${suffix}`,
    kind: 'update',
    target: 'release-log.json',
    reason: `record ${id} as deploying${previous ? ` (previous good: ${previous})` : ''}`,
    details: {
      step: 'begin-release',
      release: id,
      ...(version === undefined ? {} : { version }),
      digest: artifact.digest,
      artifact: artifact.path,
      ...(previous === undefined ? {} : { previous }),
      attempt,
    },
  });

  const present = existing.has(id);
  const what = `${artifact.kind === 'tarball' ? 'extract' : 'copy'} ${artifact.path} (${artifact.entries} entries, ${shortDigest(artifact.digest)})`;
  actions.push({
    id: `create:${suffix}`,
    kind: present && sameContent ? 'skip' : present ? 'update' : 'create',
    target: `releases/${id}`,
    reason:
      present && sameContent
        ? 'already present with the same content'
        : present
          ? `replace (--force): ${what}`
          : what,
    details: { step: 'create', release: id, artifact, replace: present && !sameContent },
  });

  if (config.shared.length > 0) {
    actions.push({
      id: `link-shared:${suffix}`,
      kind: 'update',
      target: `releases/${id}/{${config.shared.join(',')}}`,
      reason: 'link from shared/',
      details: { step: 'link-shared', release: id, paths: config.shared },
    });
  }
  actions.push(...hookActions('beforeSwitch', config, id, attempt));
  actions.push({
    id: `switch:${suffix}`,
    kind: current === id ? 'skip' : 'update',
    target: 'current',
    reason:
      current === id
        ? `already points to releases/${id}`
        : current === undefined
          ? `first release: -> releases/${id}`
          : `releases/${current} -> releases/${id}`,
    details: { step: 'switch', release: id, ...(current === undefined ? {} : { from: current }) },
  });
  actions.push(...hookActions('afterSwitch', config, id, attempt));
  const hc = config.healthcheck;
  if (hc) {
    actions.push({
      id: `healthcheck:${suffix}`,
      kind: 'update',
      target: `health check ${hc.url}`,
      reason: `expect ${hc.expectStatus} within ${formatDuration(hc.timeoutMs)}; on failure roll back to ${previous ?? '(nothing: no earlier good release)'}`,
      details: { step: 'healthcheck', release: id, ...hc },
    });
  }

  const removed = selectCleanup({
    newestFirst: [id, ...newestFirst(log, state.releases).filter((r) => r !== id)],
    keep: config.keepReleases,
    protect: new Set([id, previous]),
  }).filter((r) => existing.has(r));
  for (const old of removed) {
    actions.push({
      id: `remove:${old}@${attempt}`,
      kind: 'delete',
      phase: 1,
      target: `releases/${old}`,
      reason: `beyond keepReleases=${config.keepReleases}`,
      details: { step: 'remove', release: old },
    });
  }
  actions.push({
    id: `finish:${suffix}`,
    kind: 'update',
    phase: 2,
    target: 'release-log.json',
    reason: `record ${id} as good`,
    details: { step: 'finish-release', release: id, removed },
  });
  return {
    operation: {
      kind: 'release',
      release: id,
      previous,
      attempt,
      resumed: resume,
      noop: false,
      digest: artifact.digest,
    },
    actions,
  };
}

export function hookActions(
  phase: HookPhase,
  config: DeployConfig,
  id: string,
  attempt: string,
): DeployAction[] {
  return config.hooks[phase].map((hook, index) => ({
    id: `hook:${phase}:${index}:${id}@${attempt}`,
    kind: 'update',
    target: `hook ${phase}[${index}]: ${hook.run}`,
    reason: `run in releases/${id}, timeout ${formatDuration(hook.timeoutMs)}`,
    details: { step: 'hook', phase, index, release: id, run: hook.run, timeoutMs: hook.timeoutMs },
  }));
}
