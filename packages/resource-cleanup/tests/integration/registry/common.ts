import type { Workspace } from '../helpers.js';

/** A config with one registry rule (JSON is valid config), fast retries, and the rule's own keys. */
export async function registryConfig(
  ws: Workspace,
  rule: Record<string, unknown>,
  extra: Record<string, unknown> = {},
): Promise<string> {
  return ws.writeConfig('tempered.json', {
    retry: { maxAttempts: 4, baseDelay: '10ms', maxDelay: '50ms' },
    'resource-cleanup': { rules: [{ name: 'images', provider: 'registry', ...rule }], ...extra },
  });
}

export interface JsonPlanAction {
  id: string;
  kind: 'delete' | 'skip';
  target: string;
  reason: string;
  details: {
    rule: string;
    provider: string;
    resource: { repository?: string; digest?: string; tags?: string[] };
  };
}

/** The actions of a `plan --json` document. */
export function planActions(stdout: string): JsonPlanAction[] {
  const doc = JSON.parse(stdout) as { result: { plan: { actions: JsonPlanAction[] } } };
  return doc.result.plan.actions;
}
