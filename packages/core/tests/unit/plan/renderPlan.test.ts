import { describe, expect, it } from 'vitest';
import { type Plan, planToJson, renderPlanHuman, summarizePlan } from '../../../src/plan/index.js';

const plan: Plan = {
  cli: 'file-sync',
  command: 'sync',
  environment: 'prod',
  target: '/srv/data',
  warnings: ['3 files skipped: unreadable'],
  actions: [
    { id: 'create:a', kind: 'create', target: 'a.txt', reason: 'new' },
    { id: 'update:b', kind: 'update', target: 'b.txt', reason: 'size' },
    { id: 'delete:c', kind: 'delete', target: 'c.txt', reason: 'not in source' },
    { id: 'skip:d', kind: 'skip', target: 'd.txt', reason: 'same size and mtime' },
  ],
};

describe('renderPlanHuman', () => {
  it('itemises changes one per line with a summary', () => {
    expect(renderPlanHuman(plan)).toBe(
      [
        'file-sync sync -> /srv/data [prod]',
        '+ a.txt (new)',
        '~ b.txt (size)',
        '- c.txt (not in source)',
        '! 3 files skipped: unreadable',
        'Plan: 1 to create, 1 to update, 1 to delete, 1 unchanged.',
      ].join('\n'),
    );
  });

  it('lists unchanged items only when asked, and says when there is nothing to do', () => {
    expect(renderPlanHuman(plan, { showSkipped: true })).toContain('= d.txt (same size and mtime)');
    const noop: Plan = { ...plan, warnings: [], actions: [plan.actions[3]!] };
    expect(renderPlanHuman(noop)).toMatch(/No changes: 1 up to date\.$/);
  });
});

describe('planToJson', () => {
  it('is the plan plus its summary, and survives a JSON round trip', () => {
    const json = planToJson(plan);
    expect(summarizePlan(plan)).toEqual({ create: 1, update: 1, delete: 1, skip: 1, changes: 3 });
    expect(JSON.parse(JSON.stringify(json))).toEqual(json);
    expect(json.summary.changes).toBe(3);
  });
});
