import type { PlanAction } from '@tempered/core';
import { formatBytes } from '@tempered/core';
import { describe, expect, it } from 'vitest';
import { countPlan, quotePath, renderSyncPlan } from '../../../src/plan/render.js';
import type { SyncDetails } from '../../../src/plan/types.js';

const action = (
  kind: PlanAction['kind'],
  path: string,
  details: Partial<SyncDetails>,
  reason = '',
): PlanAction<SyncDetails> => ({
  id: `${kind}:${path}`,
  kind,
  target: path || '.',
  reason,
  details: { op: 'copy', path, type: 'file', ...details },
});

describe('renderSyncPlan', () => {
  it('prints one line per change (+ new, ~ update with its reason, - delete), warnings, then a summary', () => {
    const text = renderSyncPlan(
      'file-sync sync /s -> /d [default]',
      [
        action('create', '', { op: 'mkdir', type: 'dir' }, 'new'),
        action('create', 'dir', { op: 'mkdir', type: 'dir' }, 'new'),
        action('create', 'dir/new.txt', { size: 2048 }, 'new'),
        action('update', 'changed.txt', { size: 100 }, 'size'),
        action('skip', 'same.txt', {}),
        action('delete', 'old', { op: 'delete', type: 'dir' }, 'not in source'),
        action(
          'delete',
          '.x.file-sync-tmp-1-00000000000a',
          { op: 'cleanup' },
          'temp file of an interrupted run',
        ),
      ],
      ['source "a": vanished during the scan'],
    );

    expect(text).toBe(
      [
        'file-sync sync /s -> /d [default]',
        '+ ./',
        '+ dir/',
        '+ dir/new.txt',
        '~ changed.txt (size)',
        '- old/',
        '- .x.file-sync-tmp-1-00000000000a (temp file of an interrupted run)',
        '! source "a": vanished during the scan',
        'Plan: 3 to create, 1 to update, 1 to delete, 1 unchanged, 1 temp file(s) to remove; 2.1 KiB to copy.',
      ].join('\n'),
    );
  });

  it('keeps one line per path: odd names are quoted', () => {
    expect(quotePath('plain name.txt')).toBe('plain name.txt');
    expect(quotePath('-rf')).toBe('-rf');
    expect(quotePath('ünï')).toBe('ünï');
    expect(quotePath('two\nlines')).toBe('"two\\nlines"');
    expect(quotePath(' lead')).toBe('" lead"');
    expect(quotePath('back\\slash')).toBe('"back\\\\slash"');
  });

  it('counts the plan and formats bytes', () => {
    expect(countPlan([action('create', 'a', { size: 5 }, 'new'), action('skip', 'b', {})])).toEqual({
      create: 1,
      update: 0,
      delete: 0,
      unchanged: 1,
      cleanup: 0,
      bytesToCopy: 5,
    });
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(1024 ** 3)).toBe('1 GiB');
  });
});
