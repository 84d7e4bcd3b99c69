import { resolve } from 'node:path';
import type { Interfaces } from '@oclif/core';
import { isInside, type Job, type JobPlan } from '@tempered/core';
import { type ArtifactInfo, inspectArtifact, shortDigest } from '../artifact/index.js';
import { ArtifactError } from '../errors.js';
import type { FleetOperation } from '../plan/planFleet.js';
import { planRelease } from '../plan/planRelease.js';
import type { DeployStep } from '../plan/steps.js';
import { assertSafeVersion } from '../release/releaseId.js';
import { type DeployOptions, deployOptions, targetLock } from './deployOptions.js';
import { deployTexts } from './deployTexts.js';
import { type DeployWorld, planFleet, readFleet, targetFacts } from './deployWorld.js';
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
    const { actions, info, policy } = planFleet(world, options.fleet, ({ state, log }) =>
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
    );
    return { actions, warnings: [], policy, info: { ...info, digest: world.artifact.digest } };
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
