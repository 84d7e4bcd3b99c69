import type { DeployAction, DeployPlan, DeployStep, Operation } from './steps.js';

/** One host's own plan, and where it stands in the rollout. */
export interface HostPlan {
  /** Empty for a local target (its ids stay as they are). */
  host: string;
  wave: number;
  plan: DeployPlan;
  /** The health check URL of this host, when the config has a template. */
  healthUrl?: string | undefined;
}

/** Every host's operation, by host name, for the applier and the summary. */
export interface FleetOperation {
  /** The operation the texts speak of: the first host with something to do, else the first. */
  operation: Operation;
  hosts: { host: string; operation: Operation }[];
}

/** Phases per wave: each step kind of a host runs in its own phase, hosts of a wave side by side. */
const WAVE = 1_000;

/**
 * A phase for each kind of step, in the order one host needs them: a host's steps never run at
 * once, and every host of a wave is switched before any is checked. Removals and the final
 * records come after the last wave: nothing is cleaned up while a later wave may still fail.
 */
function stageOf(step: DeployStep): number {
  switch (step.step) {
    case 'sweep':
    case 'noop':
      return 0;
    case 'begin-release':
    case 'begin-rollback':
      return 1;
    case 'create':
      return 2;
    case 'link-shared':
      return 3;
    case 'hook':
      return step.phase === 'beforeSwitch' ? 10 + step.index : 510 + step.index;
    case 'switch':
      return 500;
    case 'healthcheck':
      return 999;
    case 'remove':
      return -2;
    case 'finish-release':
    case 'finish-rollback':
      return -1;
  }
}

/** The hosts' plans as one: ids and targets carry the host, phases carry the wave. */
export function mergeHostPlans(hosts: HostPlan[]): { actions: DeployAction[]; info: FleetOperation } {
  const waves = Math.max(0, ...hosts.map((h) => h.wave)) + 1;
  const actions: DeployAction[] = [];
  for (const { host, wave, plan, healthUrl } of hosts) {
    for (const action of plan.actions) {
      const step = action.details!;
      const stage = stageOf(step);
      const phase = stage < 0 ? waves * WAVE + (stage + 2) : wave * WAVE + stage;
      const details: DeployStep =
        step.step === 'healthcheck' && healthUrl ? { ...step, url: healthUrl } : step;
      const target = step.step === 'healthcheck' && healthUrl ? `health check ${healthUrl}` : action.target;
      actions.push({
        ...action,
        id: host ? `${host}/${action.id}` : action.id,
        target: host ? `${host}:${target}` : target,
        phase,
        details: host ? { ...details, host } : details,
      });
    }
  }
  const busy = hosts.find((h) => !h.plan.operation.noop) ?? hosts[0]!;
  return {
    actions,
    info: {
      operation: busy.plan.operation,
      hosts: hosts.map((h) => ({ host: h.host, operation: h.plan.operation })),
    },
  };
}
