import { resolve } from 'node:path';
import { Args, Flags } from '@oclif/core';
import { type ApplyResult, isInside, type PlanAction } from '@tempered/core';
import { type ArtifactInfo, inspectArtifact, shortDigest } from '../artifact/index.js';
import { DeployPlannedCommand } from '../command/DeployPlannedCommand.js';
import { ArtifactError } from '../errors.js';
import { planRelease } from '../plan/planRelease.js';
import type { DeployStep } from '../plan/steps.js';
import { assertSafeVersion } from '../release/releaseId.js';

export default class Release extends DeployPlannedCommand {
  static override summary =
    'Deploy ARTIFACT (a directory or .tar.gz) as a new release, switch to it, check its health.';
  static override description =
    'Copies or extracts ARTIFACT into releases/<id>, links shared paths, runs the beforeSwitch hooks, ' +
    'switches current atomically, runs the afterSwitch hooks and the health check; on failure switches ' +
    'back to the previous good release. Deploying the artifact that is already current does nothing.';
  static override examples = [
    '<%= config.bin %> release ./build -e staging --version 1.4.2',
    '<%= config.bin %> release app.tar.gz -e prod --yes --lock-wait 5m',
    '<%= config.bin %> release ./build -e staging --dry-run',
  ];
  static override args = {
    artifact: Args.string({ description: 'Build output: a directory or a .tar.gz file', required: true }),
  };
  static override flags = {
    version: Flags.string({
      summary: 'Release id (default: UTC timestamp and short digest), e.g. 1.4.2.',
    }),
    force: Flags.boolean({
      summary: 'Replace an existing release of the same --version with a different artifact.',
      default: false,
    }),
  };

  #artifact: ArtifactInfo | undefined;

  protected override async preflight(): Promise<void> {
    const version = this.flags.version as string | undefined;
    if (version !== undefined) assertSafeVersion(version);
    await this.deployTarget.inspect();
    const artifact = this.args.artifact as string;
    if (isInside(resolve(artifact), this.deployTarget.id)) {
      throw new ArtifactError(
        `the deploy target ${this.deployTarget.display} lies inside the artifact ${artifact}`,
        {
          artifact,
          hint: 'deploy the build output directory, not a directory that contains the target',
        },
      );
    }
    this.#artifact = await inspectArtifact(artifact, process.cwd(), this.deployConfig.artifactLimits);
    this.ctx.logger.info(
      {
        artifact: this.#artifact.path,
        kind: this.#artifact.kind,
        digest: this.#artifact.digest,
        entries: this.#artifact.entries,
      },
      'artifact checked',
    );
  }

  protected async plan(): Promise<PlanAction<DeployStep>[]> {
    const artifact = this.#artifact!;
    const [state, log] = await Promise.all([this.deployTarget.inspect(), this.deployTarget.readLog()]);
    const { operation, actions } = planRelease({
      state,
      log,
      artifact,
      config: this.deployConfig,
      version: this.flags.version as string | undefined,
      force: this.flags.force === true,
      now: new Date(),
      runId: this.ctx.runId,
    });
    this.operation = operation;
    if (operation.noop) {
      this.ctx.logger.info({ release: operation.release, digest: artifact.digest }, 'already deployed');
      this.print(
        `Release ${operation.release} is already deployed (${shortDigest(artifact.digest)}): nothing to do.`,
      );
    } else if (operation.resumed) {
      this.ctx.logger.warn(
        { release: operation.release, attempt: operation.attempt },
        'resuming an interrupted release',
      );
    }
    return actions;
  }

  protected override appliedSummary(applied: ApplyResult): string {
    const op = this.operation;
    if (!op || op.noop) return super.appliedSummary(applied);
    const previous = op.previous ? ` (previous good: ${op.previous})` : '';
    return `Released ${op.release} to ${this.deployTarget.display}${previous}.`;
  }
}
