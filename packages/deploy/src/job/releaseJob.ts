import { resolve } from 'node:path';
import type { Interfaces } from '@oclif/core';
import { type ApplyPolicy, isInside, type Job, type JobPlan } from '@tempered/core';
import { type ArtifactInfo, inspectArtifact, shortDigest } from '../artifact/index.js';
import { ArtifactError } from '../errors.js';
import { type FleetOperation, mergeHostPlans } from '../plan/planFleet.js';
import { planRelease } from '../plan/planRelease.js';
import type { DeployStep } from '../plan/steps.js';
import { assertSafeVersion } from '../release/releaseId.js';
import { rolloutConcurrency, rolloutWaves } from '../target/fleet.js';
import { type DeployOptions, deployOptions, targetLock } from './deployOptions.js';
import { deployTexts } from './deployTexts.js';
import { type DeployWorld, onHost, readFleet, targetFacts } from './deployWorld.js';
import type { releaseFlags } from './flags.js';
import { stepApplier } from './stepApplier.js';

export interface ReleaseOptions extends DeployOptions {
  artifact: string;
  version: string | undefined;
  force: boolean;
  cwd: string;
}

export interface ReleaseWorld extends DeployWorld {
  artifact: ArtifactInfo;
}

export interface ReleaseInfo extends FleetOperation {
  /** The artifact's digest, named when it is already deployed. */
  digest: string;
}

type ReleasePlan = JobPlan<DeployStep, ReleaseInfo>;

/** A deploy is a sequence: the first failure stops it (and the step runner rolls back). */
export const DEPLOY_POLICY: ApplyPolicy = { onError: 'stop', itemize: true };

/** The artifact is checked before the lock (exit 2 before anything is touched) and read once. */
const inspected = new WeakMap<ReleaseOptions, ArtifactInfo>();

export const releaseJob: Job<
  ReleaseOptions,
  ReleaseWorld,
  DeployStep,
  ReleaseInfo,
  Interfaces.InferredFlags<typeof releaseFlags>,
  { artifact: string }
> = {
  options: (input) => ({
    ...deployOptions(input),
    artifact: input.args.artifact,
    version: input.flags.version,
    force: input.flags.force === true,
    cwd: input.cwd,
  }),

  async check(options, io) {
    if (options.version !== undefined) assertSafeVersion(options.version);
    const local = options.fleet.hosts[0]!.target;
    if (local.kind === 'local') await local.inspect();
    if (local.kind === 'local' && isInside(resolve(options.cwd, options.artifact), local.id)) {
      throw new ArtifactError(
        `the deploy target ${local.display} lies inside the artifact ${options.artifact}`,
        {
          artifact: options.artifact,
          hint: 'deploy the build output directory, not a directory that contains the target',
        },
      );
    }
    const artifact = await inspectArtifact(options.artifact, options.cwd, options.config.artifactLimits);
    inspected.set(options, artifact);
    io.logger.info(
      { artifact: artifact.path, kind: artifact.kind, digest: artifact.digest, entries: artifact.entries },
      'artifact checked',
    );
  },

  target: (options) => options.fleet.id,

  locks: targetLock,

  async read(options, io) {
    const artifact = inspected.get(options);
    if (!artifact) throw new Error('the artifact is read by check() before read()');
    return { ...(await readFleet(options.fleet, io)), artifact };
  },

  plan(world, options): ReleasePlan {
    const waves = rolloutWaves(options.fleet);
    const hosts = world.hosts.map(({ name, state, log }) => ({
      host: name,
      wave: waves.findIndex((wave) => wave.includes(name)),
      healthUrl: options.fleet.hosts.find((h) => h.name === name)?.healthUrl,
      plan: onHost(name, () =>
        planRelease({
          state,
          log,
          artifact: world.artifact,
          config: options.config,
          version: options.version,
          force: options.force,
          now: world.now,
          runId: world.runId,
        }),
      ),
    }));
    const { actions, info } = mergeHostPlans(hosts);
    return {
      actions,
      warnings: [],
      policy: { ...DEPLOY_POLICY, concurrency: rolloutConcurrency(options.fleet) },
      info: { ...info, digest: world.artifact.digest },
    };
  },

  facts: (world) => ({ ...targetFacts(world), artifact: world.artifact.digest }),

  open: (_world, options, plan, io) => {
    const { operation } = plan.info;
    if (operation.resumed) {
      io.logger.warn(
        { release: operation.release, attempt: operation.attempt },
        'resuming an interrupted release',
      );
    }
    return stepApplier(options, plan.info, io, (op) => {
      const previous = op.previous ? ` (previous good: ${op.previous})` : '';
      return `Released ${op.release} to ${options.fleet.display}${previous}.`;
    });
  },

  ...deployTexts<ReleaseInfo>(
    (plan) =>
      `Release ${plan.info.operation.release} is already deployed (${shortDigest(plan.info.digest)}): nothing to do.`,
    (plan) => [{ release: plan.info.operation.release, digest: plan.info.digest }, 'already deployed'],
  ),
};
