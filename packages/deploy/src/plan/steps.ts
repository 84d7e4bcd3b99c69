import type { PlanAction } from '@tempered/core';
import type { ArtifactInfo } from '../artifact/index.js';
import type { HealthcheckConfig } from '../section.js';

export type HookPhase = 'beforeSwitch' | 'afterSwitch';

/**
 * What one planned action does; plain data, printed as is by `--dry-run --json`. `host` names
 * the host of a fleet the step is for (absent for a local target).
 */
export type DeployStep = { host?: string } & (
  | { step: 'sweep'; name: string }
  | {
      step: 'begin-release';
      release: string;
      version?: string | undefined;
      digest: string;
      artifact: string;
      previous?: string | undefined;
      attempt: string;
    }
  | { step: 'create'; release: string; artifact: ArtifactInfo; replace: boolean }
  | { step: 'link-shared'; release: string; paths: string[] }
  | { step: 'hook'; phase: HookPhase; index: number; release: string; run: string; timeoutMs: number }
  | { step: 'switch'; release: string; from?: string | undefined }
  | ({ step: 'healthcheck'; release: string } & HealthcheckConfig)
  | { step: 'remove'; release: string }
  | { step: 'finish-release'; release: string; removed: string[] }
  | { step: 'begin-rollback'; release: string; from?: string | undefined; attempt: string }
  | { step: 'finish-rollback'; release: string; from?: string | undefined }
  | { step: 'noop'; release: string }
);

export type DeployAction = PlanAction<DeployStep>;

/** What a release or rollback run is about; the failure handling needs it. */
export interface Operation {
  kind: 'release' | 'rollback';
  /** The release going live. */
  release: string;
  /** Release: the previous good release (automatic rollback target). Rollback: where it came from. */
  previous: string | undefined;
  /** Suffix of every step id of this attempt. */
  attempt: string;
  /** Resuming an operation an interrupted run left pending. */
  resumed: boolean;
  /** Nothing to do (already deployed, already current). */
  noop: boolean;
  digest?: string | undefined;
}

/** Planning output: the operation and its actions. */
export interface DeployPlan {
  operation: Operation;
  actions: DeployAction[];
}
